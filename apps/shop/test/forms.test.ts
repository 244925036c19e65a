// HTML form bodies on the JSON API: urlencoded and multipart posts reach the same routes,
// are coerced by the route's schema in one place, and fail with the same 422 details as JSON.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { coerceForm } from '../src/http/form-body.js';
import { cartAddSchema, loginSchema } from '../src/http/schemas.js';
import { createBrowser, createShop, PASSWORD, setCookies, type Browser } from './helpers.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Posts `fields` urlencoded, as an HTML form does. */
function postForm(
  browser: Browser,
  url: string,
  fields: Record<string, string> | URLSearchParams,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return browser.request({ method: 'POST', url, headers: { ...FORM, ...headers }, payload: new URLSearchParams(fields).toString() });
}

/** Posts `fields` as multipart/form-data, built by Node's own FormData. */
async function postMultipart(browser: Browser, url: string, form: FormData): Promise<LightMyRequestResponse> {
  const request = new Request('http://shop.test/', { method: 'POST', body: form });
  const payload = Buffer.from(await request.arrayBuffer());
  return browser.request({ method: 'POST', url, headers: { 'content-type': request.headers.get('content-type') as string }, payload });
}

const multipart = (fields: Record<string, string>) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
};

describe('form bodies', () => {
  it('register, log in, add to the cart and log out with urlencoded forms, answered in JSON', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    const register = await postForm(browser, '/register', { username: 'fiona', password: PASSWORD });
    assert.equal(register.statusCode, 201);
    assert.equal(register.json().username, 'fiona');
    const login = await postForm(browser, '/login', { username: 'fiona', password: PASSWORD, remember: 'on' });
    assert.equal(login.statusCode, 200);
    assert.equal(login.json().user.username, 'fiona');
    assert.match(setCookies(login).join('\n'), /Max-Age=/i, 'the checkbox value "on" is remember: true');
    const add = await postForm(browser, '/cart/add', { item_id: '42', quantity: '2' });
    assert.deepEqual(add.json(), { cart: [{ item_id: 42, quantity: 2 }] });
    const logout = await postForm(browser, '/logout', {});
    assert.deepEqual(logout.json(), { ok: true });
    assert.equal((await browser.get('/profile')).statusCode, 401);
  });

  it('register and log in with multipart/form-data', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    assert.equal((await postMultipart(browser, '/register', multipart({ username: 'gus', password: PASSWORD }))).statusCode, 201);
    const login = await postMultipart(browser, '/login', multipart({ username: 'gus', password: PASSWORD }));
    assert.equal(login.statusCode, 200);
    assert.equal((await browser.get('/profile')).json().user.username, 'gus');
    assert.deepEqual((await postMultipart(browser, '/cart/add', multipart({ item_id: '1' }))).json(), { cart: [{ item_id: 1, quantity: 1 }] });
  });

  it('BI-09 a bad form field is the same FastAPI-shaped 422 as the same value in JSON', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    const cases: Array<[url: string, form: Record<string, string>, json: Record<string, unknown>]> = [
      ['/register', { username: 'hal' }, { username: 'hal' }],
      ['/register', { username: 'h', password: 'short' }, { username: 'h', password: 'short' }],
      ['/login', { username: 'x', password: 'y', remember: 'maybe' }, { username: 'x', password: 'y', remember: 'maybe' }],
      ['/cart/add', { item_id: 'abc' }, { item_id: 'abc' }],
      ['/cart/add', { item_id: '4.2' }, { item_id: 4.2 }],
      ['/cart/add', { item_id: '-1' }, { item_id: -1 }],
      ['/cart/add', { item_id: '' }, { item_id: '' }],
      ['/cart/add', { item_id: '1', quantity: 'two' }, { item_id: 1, quantity: 'two' }],
      ['/cart/add', { item_id: '1', quantity: '1.5' }, { item_id: 1, quantity: 1.5 }],
      ['/cart/add', { item_id: '1', quantity: '0' }, { item_id: 1, quantity: 0 }],
      ['/cart/add', {}, {}],
    ];
    for (const [url, form, json] of cases) {
      const fromForm = await postForm(browser, url, form);
      const fromJson = await browser.post(url, json);
      assert.equal(fromForm.statusCode, 422, `${url} ${JSON.stringify(form)}`);
      assert.deepEqual(fromForm.json(), fromJson.json(), `${url} ${JSON.stringify(form)}`);
    }
    // A repeated field is an array, which no scalar field accepts.
    const repeated = await postForm(
      browser,
      '/cart/add',
      new URLSearchParams([
        ['item_id', '1'],
        ['item_id', '2'],
      ]),
    );
    assert.equal(repeated.statusCode, 422);
    assert.deepEqual(repeated.json().detail[0].loc, ['body', 'item_id']);
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [] }, 'nothing reached the cart');
  });

  it('an unknown item posted by form is refused with 404 ERR_UNKNOWN_ITEM and not stored', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    const res = await postForm(browser, '/cart/add', { item_id: '7' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'ERR_UNKNOWN_ITEM');
    assert.equal(browser.cookie, null, 'no session was created for it');
  });

  it('CS-09 text/plain and a multipart file are still refused, and change nothing', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    const plain = await browser.request({ method: 'POST', url: '/cart/add', headers: { 'content-type': 'text/plain' }, payload: 'item_id=1' });
    assert.equal(plain.statusCode, 415);
    assert.equal(plain.json().error.code, 'ERR_UNSUPPORTED_MEDIA_TYPE');
    const form = multipart({ item_id: '1' });
    form.append('upload', new Blob(['x']), 'x.txt');
    const file = await postMultipart(browser, '/cart/add', form);
    assert.equal(file.statusCode, 400);
    assert.equal(file.json().error.code, 'ERR_BAD_FORM');
    const broken = await browser.request({
      method: 'POST',
      url: '/cart/add',
      headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
      payload: 'not multipart',
    });
    assert.equal(broken.statusCode, 400);
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [] });
  });

  it('BI-11 a form field named __proto__ pollutes nothing', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    const res = await browser.request({
      method: 'POST',
      url: '/cart/add',
      headers: FORM,
      payload: 'item_id=1&__proto__[polluted]=1&__proto__=x&constructor=y',
    });
    assert.deepEqual(res.json(), { cart: [{ item_id: 1, quantity: 1 }] });
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });

  it('coerces only the strings that spell a value of the field type', () => {
    const body = cartAddSchema.body;
    assert.deepEqual(coerceForm({ item_id: '42', quantity: '3' }, body), { item_id: 42, quantity: 3 });
    assert.deepEqual(coerceForm({ item_id: '042', quantity: '3.0' }, body), { item_id: '042', quantity: '3.0' });
    assert.deepEqual(coerceForm({ item_id: '9007199254740993' }, body), { item_id: '9007199254740993' });
    const login = loginSchema.body;
    for (const [text, value] of [
      ['on', true],
      ['true', true],
      ['1', true],
      ['off', false],
      ['false', false],
      ['0', false],
      ['yes', 'yes'],
    ] as const) {
      assert.equal(coerceForm({ remember: text }, login).remember, value, text);
    }
    assert.deepEqual(coerceForm({ username: '007', extra: '1' }, login), { username: '007', extra: '1' }, 'strings and unknown fields stay strings');
  });
});
