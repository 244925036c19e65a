// The Fastify side of bearer mode: one rule when a cookie and a bearer token arrive together,
// RFC 6750 refusals, no cookies on bearer responses, no tokens in URLs, outages as 503.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionStore } from 'coatcheck/store-kit';
import { memoryStore } from 'coatcheck/memory';
import { bearerError, getMe, setup } from './helpers.js';

function cookieOf(headers: Record<string, unknown>): string {
  const value = headers['set-cookie'];
  const line = Array.isArray(value) ? String(value[0]) : String(value);
  return line.split(';')[0] as string;
}

describe('bearer mode in the Fastify plugin', () => {
  it('BI-13 Authorization wins: with a cookie of another user, the token decides and the cookie is left alone', async () => {
    const t = await setup();
    const login = await t.app.inject({ method: 'POST', url: '/login-cookie' });
    const cookie = cookieOf(login.headers);
    const pair = await t.tokens.login(await t.manager.loadById(null), 'token-user');
    const res = await getMe(t.app, `Bearer ${pair.access_token}`, { cookie });
    assert.equal(res.statusCode, 200);
    assert.deepEqual([res.json().userId, res.json().source], ['token-user', 'bearer']);
    assert.equal(res.headers['set-cookie'], undefined, 'the cookie is neither refreshed nor cleared');
    const bad = await getMe(t.app, 'Bearer not-a-token', { cookie });
    assert.equal(bad.statusCode, 401, 'a bad token is not rescued by a good cookie');
    assert.equal(bad.headers['set-cookie'], undefined);
    const cookieOnly = await t.app.inject({ method: 'GET', url: '/me', headers: { cookie } });
    assert.deepEqual([cookieOnly.json().userId, cookieOnly.json().source], ['cookie-user', 'cookie'], 'the cookie still works on its own');
    const basic = await getMe(t.app, 'Basic dXNlcjpwYXNz', { cookie });
    assert.equal(basic.json().userId, 'cookie-user', 'other schemes are not ours: the cookie applies');
  });

  it('bearer requests never set cookies, even when they write, log in or log out', async () => {
    const t = await setup();
    const pair = await t.tokens.anonymous();
    const auth = { authorization: `Bearer ${pair.access_token}` };
    for (const url of ['/cart', '/login-cookie']) {
      const res = await t.app.inject({ method: 'POST', url, headers: auth });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['set-cookie'], undefined, url);
    }
  });

  it('401 carries WWW-Authenticate with the RFC 6750 error and a JSON error code; never a Set-Cookie', async () => {
    const t = await setup();
    const res = await getMe(t.app, 'Bearer a.b.c');
    assert.equal(res.statusCode, 401);
    assert.match(String(res.headers['www-authenticate']), /^Bearer error="invalid_token", error_description="[^"]+"$/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(Object.keys(res.json().error).sort(), ['code', 'message']);
    assert.equal(res.json().error.code, 'ERR_TOKEN_MALFORMED');
    assert.equal(t.calls.me, 0);
  });

  it('BI-13 two Authorization headers are ambiguous: 401, whichever comes first', async () => {
    const t = await setup();
    const pair = await t.tokens.anonymous();
    for (const pairOrder of [
      [`Bearer ${pair.access_token}`, 'Bearer x.y.z'],
      ['Bearer x.y.z', `Bearer ${pair.access_token}`],
      [`Bearer ${pair.access_token}`, `Bearer ${pair.access_token}`],
    ]) {
      const res = await t.app.inject({ method: 'GET', url: '/me', headers: { authorization: pairOrder } as never });
      assert.deepEqual(bearerError(res), { status: 401, error: 'invalid_request', code: 'ERR_TOKEN_AMBIGUOUS', setCookie: undefined });
    }
  });

  it('tokens in the URL are refused with 400 ERR_TOKEN_IN_URL, before any lookup', async () => {
    const t = await setup();
    const pair = await t.tokens.anonymous();
    for (const url of [`/me?access_token=${pair.access_token}`, `/me?x=1&ACCESS_TOKEN=${pair.access_token}`, `/me?refresh_token=${pair.refresh_token}`]) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.deepEqual(bearerError(res), { status: 400, error: 'invalid_request', code: 'ERR_TOKEN_IN_URL', setCookie: undefined });
    }
    assert.equal(t.calls.me, 0);
    assert.equal((await t.app.inject({ method: 'GET', url: '/me?token_count=1' })).statusCode, 401, 'other parameters are fine');
  });

  it('JW-16 the store down while checking a valid token: 503 with a code, not 200, not 401, not 500', async () => {
    const inner = memoryStore({ sweepIntervalMs: 0, quiet: true });
    let down = false;
    const store: SessionStore = Object.create(inner, {
      get: { value: (...args: Parameters<SessionStore['get']>) => (down ? Promise.reject(new Error('ECONNREFUSED')) : inner.get(...args)) },
    });
    const t = await setup({ manager: { store } });
    const pair = await t.tokens.anonymous();
    assert.equal((await getMe(t.app, `Bearer ${pair.access_token}`)).statusCode, 200);
    down = true;
    const res = await getMe(t.app, `Bearer ${pair.access_token}`);
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
    assert.equal(res.headers['set-cookie'], undefined);
    assert.equal(res.headers['retry-after'], '1');
  });
});
