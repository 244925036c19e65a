import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { BODY_LIMIT } from '../src/app.js';
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
      const res = await app.inject({ method: 'POST', url: '/cart/add', payload: { item_id: 'apple', quantity } });
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
      ['/cart/add', { item_id: '' }, 'item_id', 'value_error.any_str.min_length'],
      ['/cart/add', { item_id: 'x'.repeat(65) }, 'item_id', 'value_error.any_str.max_length'],
      ['/cart/add', { item_id: 'a\nb' }, 'item_id', 'value_error.str.regex'],
      ['/cart/add', { item_id: 'apple', quantity: 0 }, 'quantity', 'value_error.number.not_ge'],
      ['/cart/add', { item_id: 'apple', quantity: 100 }, 'quantity', 'value_error.number.not_le'],
    ];
    for (const [url, payload, field, type] of cases) {
      const res = await app.inject({ method: 'POST', url, payload: payload as object });
      assert.equal(res.statusCode, 422, `${url} ${JSON.stringify(payload).slice(0, 60)}`);
      assert.deepEqual(res.json().detail.map((d: { loc: unknown; type: string }) => [d.loc, d.type]), [[['body', field], type]]);
    }
    const res = await app.inject({ method: 'POST', url: '/register', payload: { username: 'alice', password: 'short' } });
    assert.equal(res.json().detail[0].msg, 'ensure this value has at least 8 characters');
  });

  it('BI-09 an array or object as item_id is a 422, and never reaches the cart', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 'apple' });
    for (const itemId of [['apple'], { $gt: '' }, { toString: 'x' }, [], 7]) {
      const res = await browser.post('/cart/add', { item_id: itemId });
      assert.equal(res.statusCode, 422, JSON.stringify(itemId));
      assert.deepEqual(res.json().detail[0].loc, ['body', 'item_id']);
    }
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [{ item_id: 'apple', quantity: 1 }] });
  });

  it('extra fields are dropped, not stored', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    const res = await browser.post('/cart/add', { item_id: 'apple', price: 0, quantity: 2 });
    assert.deepEqual(res.json(), { cart: [{ item_id: 'apple', quantity: 2 }] });
  });

  it(`a body over ${BODY_LIMIT} bytes is a 413 ERR_BODY_TOO_LARGE`, async () => {
    const { app } = await createShop();
    for (const url of ['/login', '/cart/add']) {
      const res = await app.inject({ method: 'POST', url, payload: { item_id: 'x'.repeat(BODY_LIMIT), username: 'a', password: 'b' } });
      assertErrorShape(res, 413, 'ERR_BODY_TOO_LARGE');
    }
  });

  it('CS-09 CS-13 non-JSON content types (what a cross-site form can send) are a 415 and change nothing', async () => {
    const { app } = await createShop();
    const browser = await loggedIn(app, 'alice');
    const otherDevice = await loggedIn(app, 'alice');
    for (const url of ['/logout', '/sessions/revoke-others']) {
      const empty = await browser.request({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' } });
      assertErrorShape(empty, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE');
    }
    assert.equal((await otherDevice.get('/profile')).statusCode, 200, 'revoke-others did not run');
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      const res = await browser.request({ method: 'POST', url: '/cart/add', headers: { 'content-type': contentType }, payload: '{"item_id":"apple"}' });
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
    assert.equal((({}) as { polluted?: unknown }).polluted, undefined);
  });

  it('unknown routes and methods are a 404 in the same shape, without echoing the URL', async () => {
    const { app } = await createShop();
    for (const [method, url] of [['GET', '/nope<script>'], ['PUT', '/cart'], ['GET', '/sessions/abc/def']] as const) {
      const res = await app.inject({ method, url });
      assertErrorShape(res, 404, 'ERR_NOT_FOUND');
      assert.doesNotMatch(res.body, /script|nope|def/);
    }
  });
});
