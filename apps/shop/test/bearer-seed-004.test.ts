// Seed 004's token flow against the shop (Flask: POST /login → {"token"}, GET /protected →
// {"message": "Welcome, <name>"}), ending a bearer session by /logout and by RFC 7009
// revocation with either token, and the RFC 6750 challenge on the 401s of bearer routes. Also
// the empty JSON bodies that clients built like seed 000's (Content-Type on every request) post.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createBrowser, createShop, PASSWORD } from './helpers.js';

interface Login {
  access_token: string;
  refresh_token: string;
  token: string;
  user: { id: string; username: string };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function register(app: FastifyInstance, username: string): Promise<void> {
  const res = await createBrowser(app).post('/register', { username, password: PASSWORD });
  assert.equal(res.statusCode, 201, res.body);
}

async function login(app: FastifyInstance, username: string): Promise<Login> {
  const res = await app.inject({ method: 'POST', url: '/token', payload: { username, password: PASSWORD } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Login;
}

const get = (app: FastifyInstance, url: string, token?: string) => app.inject({ method: 'GET', url, headers: token === undefined ? {} : bearer(token) });

/** The status, error code and challenge of a refused request. */
function refusal(res: LightMyRequestResponse): [number, string, string | undefined] {
  const challenge = res.headers['www-authenticate'];
  return [res.statusCode, res.json().error?.code, challenge === undefined ? undefined : String(challenge)];
}

describe('seed 004 against the shop', () => {
  it('POST /token answers `token`, the access token itself; GET /protected greets its user', async () => {
    const { app } = await createShop();
    await register(app, 'flask');
    const pair = await login(app, 'flask');
    assert.equal(pair.token, pair.access_token);
    assert.ok(pair.token.length > 256, 'an access token is longer than the old revoke cap');
    const res = await get(app, '/protected', pair.token);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { message: 'Welcome, flask' });
  });

  it("CS-11 the tutorial's ?token= is refused with 400 ERR_TOKEN_IN_URL, and nothing is greeted", async () => {
    const { app } = await createShop();
    await register(app, 'query');
    const pair = await login(app, 'query');
    const res = await get(app, `/protected?token=${pair.token}`);
    assert.deepEqual([res.statusCode, res.json().error.code], [400, 'ERR_TOKEN_IN_URL']);
  });

  it('JW-24 revoking with the ACCESS token ends the session: /protected and the refresh token are dead', async () => {
    const { app } = await createShop();
    await register(app, 'ana');
    const pair = await login(app, 'ana');
    const revoke = await app.inject({ method: 'POST', url: '/token/revoke', payload: { token: pair.token, token_type_hint: 'access_token' } });
    assert.deepEqual([revoke.statusCode, revoke.json()], [200, { ok: true }]);
    assert.equal(revoke.headers['cache-control'], 'no-store');
    assert.deepEqual(refusal(await get(app, '/protected', pair.token)).slice(0, 2), [401, 'ERR_TOKEN_SESSION_ENDED']);
    const refresh = await app.inject({ method: 'POST', url: '/token/refresh', payload: { refresh_token: pair.refresh_token } });
    assert.equal(refresh.statusCode, 401);
  });

  it('RT-08 revoking with the refresh token ends the session too; a wrong hint changes nothing', async () => {
    const { app } = await createShop();
    await register(app, 'ben');
    const pair = await login(app, 'ben');
    const revoke = await app.inject({ method: 'POST', url: '/token/revoke', payload: { token: pair.refresh_token, token_type_hint: 'access_token' } });
    assert.deepEqual([revoke.statusCode, revoke.json()], [200, { ok: true }]);
    assert.equal((await get(app, '/protected', pair.token)).statusCode, 401);
  });

  it('BI-10 revoke bounds its input: 4096 characters at most, strings only, the same answer for junk', async () => {
    const { app } = await createShop();
    await register(app, 'cap');
    const pair = await login(app, 'cap');
    for (const payload of [{ token: 'x'.repeat(4097) }, { token: pair.token, token_type_hint: 1 }, { token: 7 }, { token: '' }]) {
      const res = await app.inject({ method: 'POST', url: '/token/revoke', payload });
      assert.equal(res.statusCode, 422, JSON.stringify(payload).slice(0, 40));
    }
    for (const token of ['x'.repeat(4096), `${pair.token}x`, pair.token.split('.').slice(0, 2).join('.')]) {
      const res = await app.inject({ method: 'POST', url: '/token/revoke', payload: { token } });
      assert.deepEqual([res.statusCode, res.json()], [200, { ok: true }]);
    }
    assert.equal((await get(app, '/protected', pair.token)).statusCode, 200, 'no near-miss ended the session');
  });

  it('RT-08 POST /logout with the access token ends that session and no other; no cookie is set', async () => {
    const { app } = await createShop();
    await register(app, 'cleo');
    const phone = await login(app, 'cleo');
    const laptop = await login(app, 'cleo');
    const res = await app.inject({ method: 'POST', url: '/logout', headers: bearer(phone.token) });
    assert.deepEqual([res.statusCode, res.json()], [200, { ok: true }]);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.deepEqual(refusal(await get(app, '/protected', phone.token)).slice(0, 2), [401, 'ERR_TOKEN_SESSION_ENDED']);
    const refresh = await app.inject({ method: 'POST', url: '/token/refresh', payload: { refresh_token: phone.refresh_token } });
    assert.equal(refresh.statusCode, 401, 'the refresh token died with its session');
    assert.equal((await get(app, '/protected', laptop.token)).statusCode, 200);
  });

  it('401s of bearer routes carry WWW-Authenticate: Bearer, with error="invalid_token" only for a bad token', async () => {
    const { app } = await createShop();
    await register(app, 'dora');
    const anonymous = (await app.inject({ method: 'POST', url: '/anonymous-login' })).json().access_token as string;
    for (const url of ['/protected', '/user/me', '/anonymous-data', '/profile', '/sessions', '/checkout']) {
      assert.deepEqual(refusal(await get(app, url)), [401, 'ERR_NOT_AUTHENTICATED', 'Bearer'], `${url} without credentials`);
      const bad = refusal(await get(app, url, 'not-a-token'));
      assert.equal(bad[0], 401);
      assert.match(String(bad[2]), /^Bearer error="invalid_token"/, `${url} with a bad token`);
    }
    for (const url of ['/protected', '/profile']) {
      assert.deepEqual(refusal(await get(app, url, anonymous)), [401, 'ERR_NOT_AUTHENTICATED', 'Bearer'], `${url} with an anonymous token`);
    }
  });

  it('a browser with a session cookie gets its 401 without a bearer challenge; wrong passwords get none either', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 1 });
    assert.ok(browser.cookie);
    assert.deepEqual(refusal(await browser.get('/protected')), [401, 'ERR_NOT_AUTHENTICATED', undefined]);
    assert.deepEqual(refusal(await browser.get('/profile')), [401, 'ERR_NOT_AUTHENTICATED', undefined]);
    const wrong = await app.inject({ method: 'POST', url: '/token', payload: { username: 'nobody', password: PASSWORD } });
    assert.deepEqual(refusal(wrong), [401, 'ERR_INVALID_CREDENTIALS', undefined]);
  });

  it('BI-10 an empty body labelled JSON is no body on bodiless routes; routes that take a body still refuse it', async () => {
    const { app } = await createShop();
    const json = { 'content-type': 'application/json' };
    const anonymous = await app.inject({ method: 'POST', url: '/anonymous-login', headers: json, payload: '' });
    assert.equal(anonymous.statusCode, 200, anonymous.body);
    const logout = await app.inject({ method: 'POST', url: '/logout', headers: { ...json, ...bearer(anonymous.json().access_token) }, payload: '' });
    assert.deepEqual([logout.statusCode, logout.json()], [200, { ok: true }]);
    for (const url of ['/token', '/token/revoke', '/login']) {
      const res = await app.inject({ method: 'POST', url, headers: json, payload: '' });
      assert.deepEqual([res.statusCode, res.json().error?.code], [400, 'ERR_BAD_JSON'], url);
    }
    const broken = await app.inject({ method: 'POST', url: '/login', headers: json, payload: '{"username":' });
    assert.deepEqual([broken.statusCode, broken.json().error.code], [400, 'ERR_BAD_JSON']);
    const poisoned = await app.inject({ method: 'POST', url: '/login', headers: json, payload: '{"__proto__":{"x":1},"username":"a","password":"b"}' });
    assert.deepEqual([poisoned.statusCode, poisoned.json().error.code], [400, 'ERR_BAD_JSON']);
  });
});
