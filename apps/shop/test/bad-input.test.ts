import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { BODY_LIMIT } from '../src/app.js';
import { ROUTE_DOCS } from '../src/http/route-docs.js';
import { createBrowser, createShop, loggedIn, PASSWORD } from './helpers.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The stable error shape, with no stack trace or internals. */
function assertErrorShape(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json();
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error), ['code', 'message']);
  assert.equal(body.error.code, code);
  assert.doesNotMatch(res.body, /at .+\.(ts|js):\d+|node_modules|FST_ERR|SyntaxError/);
}

describe('bad input', () => {
  it('BI-10 malformed JSON is a 400 ERR_BAD_JSON on every JSON route', async () => {
    const { app } = await createShop();
    for (const url of ['/register', '/login', '/cart/add']) {
      for (const payload of ['{', '{"username": "alice",}', "{'a': 1}", 'nul', '{"a":1}}', '']) {
        const res = await app.inject({ method: 'POST', url, headers: JSON_HEADERS, payload });
        assertErrorShape(res, 400, 'ERR_BAD_JSON');
      }
    }
  });

  it('missing fields are 422 with FastAPI-style details', async () => {
    const { app } = await createShop();
    const res = await app.inject({ method: 'POST', url: '/register', payload: {} });
    assert.equal(res.statusCode, 422);
    assert.deepEqual(res.json(), {
      detail: [
        { loc: ['body', 'username'], msg: 'field required', type: 'value_error.missing' },
        { loc: ['body', 'password'], msg: 'field required', type: 'value_error.missing' },
      ],
    });
    const noBody = await app.inject({ method: 'POST', url: '/login' });
    assert.equal(noBody.statusCode, 422);
    assert.deepEqual(noBody.json(), { detail: [{ loc: ['body'], msg: 'field required', type: 'value_error.missing' }] });
  });

  it('wrong types are 422 and nothing is coerced', async () => {
    const { app } = await createShop();
    const login = await app.inject({ method: 'POST', url: '/login', payload: { username: 123, password: ['x'], remember: 'true' } });
    assert.equal(login.statusCode, 422);
    assert.deepEqual(login.json().detail, [
      { loc: ['body', 'username'], msg: 'str type expected', type: 'type_error.str' },
      { loc: ['body', 'password'], msg: 'str type expected', type: 'type_error.str' },
      { loc: ['body', 'remember'], msg: 'value could not be parsed to a boolean', type: 'type_error.bool' },
    ]);
    for (const quantity of ['2', 1.5, true, null]) {
      const res = await app.inject({ method: 'POST', url: '/cart/add', payload: { item_id: 1, quantity } });
      assert.equal(res.statusCode, 422, JSON.stringify(quantity));
      assert.deepEqual(res.json().detail[0].loc, ['body', 'quantity']);
      assert.equal(res.json().detail[0].type, 'type_error.integer');
    }
    for (const body of [[], 'apple', 42, null]) {
      const res = await app.inject({ method: 'POST', url: '/cart/add', headers: JSON_HEADERS, payload: JSON.stringify(body) });
      assert.equal(res.statusCode, 422, JSON.stringify(body));
      assert.deepEqual(res.json().detail, [{ loc: ['body'], msg: 'value is not a valid dict', type: 'type_error.dict' }]);
    }
  });

  it('out-of-range values are 422 naming the field and the rule', async () => {
    const { app } = await createShop();
    const cases: Array<[string, unknown, string, string]> = [
      ['/register', { username: 'ab', password: PASSWORD }, 'username', 'value_error.any_str.min_length'],
      ['/register', { username: 'a'.repeat(33), password: PASSWORD }, 'username', 'value_error.any_str.max_length'],
      ['/register', { username: 'al ice', password: PASSWORD }, 'username', 'value_error.str.regex'],
      ['/register', { username: 'alice', password: 'short' }, 'password', 'value_error.any_str.min_length'],
      ['/register', { username: 'alice', password: 'p'.repeat(129) }, 'password', 'value_error.any_str.max_length'],
      ['/cart/add', { item_id: '' }, 'item_id', 'type_error.integer'],
      ['/cart/add', { item_id: 'abc' }, 'item_id', 'type_error.integer'],
      ['/cart/add', { item_id: '4.2' }, 'item_id', 'type_error.integer'],
      ['/cart/add', { item_id: '-1' }, 'item_id', 'type_error.integer'],
      ['/cart/add', { item_id: 'a\nb' }, 'item_id', 'type_error.integer'],
      ['/cart/add', { item_id: 4.2 }, 'item_id', 'type_error.integer'],
      ['/cart/add', { item_id: true }, 'item_id', 'type_error.integer'],
      ['/cart/add', { item_id: null }, 'item_id', 'type_error.integer'],
      ['/cart/add', { item_id: -1 }, 'item_id', 'value_error.number.not_ge'],
      ['/cart/add', { item_id: 0 }, 'item_id', 'value_error.number.not_ge'],
      ['/cart/add', { item_id: 1e10 }, 'item_id', 'value_error.number.not_le'],
      ['/cart/add', { item_id: '1'.repeat(10) }, 'item_id', 'value_error.any_str.max_length'],
      ['/cart/add', { item_id: 1, quantity: 0 }, 'quantity', 'value_error.number.not_ge'],
      ['/cart/add', { item_id: 1, quantity: 100 }, 'quantity', 'value_error.number.not_le'],
    ];
    for (const [url, payload, field, type] of cases) {
      const res = await app.inject({ method: 'POST', url, payload: payload as object });
      assert.equal(res.statusCode, 422, `${url} ${JSON.stringify(payload).slice(0, 60)}`);
      assert.deepEqual(
        res.json().detail.map((d: { loc: unknown; type: string }) => [d.loc, d.type]),
        [[['body', field], type]],
      );
    }
    const res = await app.inject({ method: 'POST', url: '/register', payload: { username: 'alice', password: 'short' } });
    assert.equal(res.json().detail[0].msg, 'ensure this value has at least 8 characters');
  });

  it('BI-09 an array or object as item_id is a 422, and never reaches the cart', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 1 });
    for (const itemId of [['apple'], [1], { $gt: '' }, { toString: 'x' }, [], true]) {
      const res = await browser.post('/cart/add', { item_id: itemId });
      assert.equal(res.statusCode, 422, JSON.stringify(itemId));
      assert.deepEqual(res.json().detail[0].loc, ['body', 'item_id']);
    }
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [{ item_id: 1, quantity: 1 }] });
  });

  it('extra fields are dropped, not stored', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    const res = await browser.post('/cart/add', { item_id: 1, price: 0, quantity: 2 });
    assert.deepEqual(res.json(), { cart: [{ item_id: 1, quantity: 2 }] });
  });

  it(`a body over ${BODY_LIMIT} bytes is a 413 ERR_BODY_TOO_LARGE`, async () => {
    const { app } = await createShop();
    for (const url of ['/login', '/cart/add']) {
      const res = await app.inject({ method: 'POST', url, payload: { item_id: 'x'.repeat(BODY_LIMIT), username: 'a', password: 'b' } });
      assertErrorShape(res, 413, 'ERR_BODY_TOO_LARGE');
    }
  });

  it('CS-09 CS-13 text/plain and other non-JSON, non-form content types are a 415 and change nothing', async () => {
    const { app } = await createShop();
    const browser = await loggedIn(app, 'alice');
    const otherDevice = await loggedIn(app, 'alice');
    for (const url of ['/logout', '/sessions/revoke-others']) {
      const empty = await browser.request({ method: 'POST', url, headers: { 'content-type': 'text/plain', 'content-length': '0' } });
      assertErrorShape(empty, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE');
    }
    assert.equal((await otherDevice.get('/profile')).statusCode, 200, 'revoke-others did not run');
    // Forms are accepted (forms.test.ts); text/plain is what smuggles JSON past a preflight.
    for (const contentType of ['text/plain', 'text/plain; charset=utf-8', 'application/xml', 'application/x-www-form-urlencodedx']) {
      const res = await browser.request({ method: 'POST', url: '/cart/add', headers: { 'content-type': contentType }, payload: '{"item_id":1}' });
      assertErrorShape(res, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE');
      const logout = await browser.request({ method: 'POST', url: '/logout', headers: { 'content-type': contentType }, payload: 'x' });
      assertErrorShape(logout, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE');
    }
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [] });
    assert.equal((await browser.get('/profile')).statusCode, 200, 'still logged in');
  });

  it('BI-11 prototype-pollution keys are rejected as bad JSON and pollute nothing', async () => {
    const { app } = await createShop();
    const payloads = ['{"item_id":"a","__proto__":{"polluted":1}}', '{"item_id":"a","constructor":{"prototype":{"polluted":1}}}'];
    for (const payload of payloads) {
      const res = await app.inject({ method: 'POST', url: '/cart/add', headers: JSON_HEADERS, payload });
      assertErrorShape(res, 400, 'ERR_BAD_JSON');
    }
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });

  it('unknown routes and methods are a 404 in the same shape, without echoing the URL', async () => {
    const { app } = await createShop();
    for (const [method, url] of [
      ['GET', '/nope<script>'],
      ['PUT', '/cart'],
      ['GET', '/sessions/abc/def'],
    ] as const) {
      const res = await app.inject({ method, url });
      assertErrorShape(res, 404, 'ERR_NOT_FOUND');
      assert.doesNotMatch(res.body, /script|nope|def/);
    }
  });

  describe('new routes: account, checkout, admin', () => {
    // Routes with a JSON body, and one valid body each (so a single broken field is the only fault).
    const BODIES: Record<string, Record<string, unknown>> = {
      '/reauth': { password: PASSWORD },
      '/password': { new_password: 'another fine passphrase' },
      '/checkout/address': { name: 'A', street: 'B 1', city: 'C', postcode: 'AB1 2CD', country: 'GB' },
      '/checkout/payment': { method: 'card' },
      '/checkout/place': { idempotency_key: 'k'.repeat(20) },
      '/admin/view-as': { username: 'bob' },
    };
    const WRONG_TYPES: unknown[] = [42, true, null, ['x'], { $gt: '' }];

    it('BI-10 malformed JSON is a 400 ERR_BAD_JSON, logged in or not', async () => {
      const { app } = await createShop();
      const admin = await loggedIn(app, 'root');
      for (const url of Object.keys(BODIES)) {
        for (const payload of ['{', '{"a":1,}', "{'a': 1}", '[1,2', '']) {
          assertErrorShape(await app.inject({ method: 'POST', url, headers: JSON_HEADERS, payload }), 400, 'ERR_BAD_JSON');
          assertErrorShape(await admin.request({ method: 'POST', url, headers: JSON_HEADERS, payload }), 400, 'ERR_BAD_JSON');
        }
      }
    });

    it('missing fields and a missing body are 422 naming each field', async () => {
      const { app } = await createShop();
      const admin = await loggedIn(app, 'root');
      for (const [url, body] of Object.entries(BODIES)) {
        const res = await admin.post(url, {});
        assert.equal(res.statusCode, 422, url);
        assert.deepEqual(
          res.json().detail.map((d: { loc: string[]; type: string }) => [d.loc, d.type]),
          Object.keys(body).map((field) => [['body', field], 'value_error.missing']),
          url,
        );
        const none = await admin.request({ method: 'POST', url });
        assert.equal(none.statusCode, 422, url);
        assert.deepEqual(none.json().detail, [{ loc: ['body'], msg: 'field required', type: 'value_error.missing' }]);
      }
    });

    it('wrong types are 422 for every field, nothing coerced', async () => {
      const { app } = await createShop();
      const admin = await loggedIn(app, 'root');
      for (const [url, body] of Object.entries(BODIES)) {
        for (const field of Object.keys(body)) {
          for (const wrong of WRONG_TYPES) {
            const res = await admin.post(url, { ...body, [field]: wrong });
            assert.equal(res.statusCode, 422, `${url} ${field}=${JSON.stringify(wrong)}`);
            assert.deepEqual(res.json().detail[0].loc, ['body', field]);
          }
        }
        for (const whole of [[], 'text', 7]) {
          const res = await admin.request({ method: 'POST', url, headers: JSON_HEADERS, payload: JSON.stringify(whole) });
          assert.equal(res.statusCode, 422, url);
        }
      }
    });

    it('out-of-range values are 422 naming the rule', async () => {
      const { app } = await createShop();
      const admin = await loggedIn(app, 'root');
      const address = BODIES['/checkout/address'] as Record<string, unknown>;
      const cases: Array<[string, Record<string, unknown>, string, string]> = [
        ['/password', { new_password: 'short' }, 'new_password', 'value_error.any_str.min_length'],
        ['/password', { new_password: 'p'.repeat(129) }, 'new_password', 'value_error.any_str.max_length'],
        ['/reauth', { password: '' }, 'password', 'value_error.any_str.min_length'],
        ['/checkout/address', { ...address, country: 'gb' }, 'country', 'value_error.str.regex'],
        ['/checkout/address', { ...address, name: 'a\u0000b' }, 'name', 'value_error.str.regex'],
        ['/checkout/address', { ...address, street: 's'.repeat(201) }, 'street', 'value_error.any_str.max_length'],
        ['/checkout/address', { ...address, postcode: '<b>' }, 'postcode', 'value_error.str.regex'],
        ['/checkout/payment', { method: 'bitcoin' }, 'method', 'value_error.enum'],
        ['/checkout/place', { idempotency_key: 'short' }, 'idempotency_key', 'value_error.any_str.min_length'],
        ['/checkout/place', { idempotency_key: 'has spaces in it, sixteen+' }, 'idempotency_key', 'value_error.str.regex'],
        ['/checkout/place', { idempotency_key: 'k'.repeat(65) }, 'idempotency_key', 'value_error.any_str.max_length'],
        ['/admin/view-as', { username: '' }, 'username', 'value_error.any_str.min_length'],
      ];
      for (const [url, payload, field, type] of cases) {
        const res = await admin.post(url, payload);
        assert.equal(res.statusCode, 422, `${url} ${JSON.stringify(payload).slice(0, 60)}`);
        assert.deepEqual(
          res.json().detail.map((d: { loc: unknown; type: string }) => [d.loc, d.type]),
          [[['body', field], type]],
        );
      }
    });

    it(`bodies over ${BODY_LIMIT} bytes are 413, non-JSON non-form content types 415, a broken multipart form 400`, async () => {
      const { app } = await createShop();
      const admin = await loggedIn(app, 'root');
      for (const url of [...Object.keys(BODIES), '/admin/view-as/leave']) {
        assertErrorShape(await admin.post(url, { pad: 'x'.repeat(BODY_LIMIT) }), 413, 'ERR_BODY_TOO_LARGE');
        for (const contentType of ['text/plain', 'application/xml']) {
          assertErrorShape(
            await admin.request({ method: 'POST', url, headers: { 'content-type': contentType }, payload: '{}' }),
            415,
            'ERR_UNSUPPORTED_MEDIA_TYPE',
          );
        }
        assertErrorShape(
          await admin.request({ method: 'POST', url, headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '{}' }),
          400,
          'ERR_BAD_FORM',
        );
      }
    });

    it('no route answers 5xx to hostile input, and every error has the stable shape', async () => {
      const { app } = await createShop();
      const admin = await loggedIn(app, 'root');
      await loggedIn(app, 'bob');
      const anonymous = createBrowser(app);
      const payloads: Array<string | undefined> = [
        undefined,
        '',
        'null',
        '"str"',
        '1e309',
        '{"__proto__":{"admin":true}}',
        JSON.stringify({ idempotency_key: 'k'.repeat(20), username: 'bob', password: PASSWORD, new_password: 'x'.repeat(20), method: 'card' }),
        JSON.stringify({ username: '\ud800', password: '\u0000'.repeat(50) }),
        `{"a":${'['.repeat(2000)}${']'.repeat(2000)}}`,
      ];
      for (const key of Object.keys(ROUTE_DOCS)) {
        const [method = 'GET', path = '/'] = key.split(' ');
        const url = path.replace('{id}', 'x'.repeat(50));
        for (const browser of [admin, anonymous]) {
          for (const payload of method === 'GET' ? [undefined] : payloads) {
            const res = await browser.request({
              method: method as 'GET',
              url,
              ...(payload === undefined ? {} : { headers: JSON_HEADERS, payload }),
            });
            assert.ok(res.statusCode < 500, `${key} ${String(payload).slice(0, 40)} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
            if (res.statusCode >= 400) {
              const body = res.json();
              assert.ok(
                (body.error && typeof body.error.code === 'string' && typeof body.error.message === 'string') || Array.isArray(body.detail),
                `${key}: ${res.body.slice(0, 200)}`,
              );
            }
          }
        }
      }
    });
  });
});
