// CORS across the whole shop: one policy at the root answers preflights and adds CORS headers
// on every route (open ones, token endpoints, session routes, unknown paths), while only the
// session scope reads a cookie or a token.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBrowser, createShop, loggedIn } from './helpers.js';

const SPA = 'http://localhost:5173';
const OTHER = 'https://evil.example';

function preflight(origin: string, url: string) {
  return {
    method: 'OPTIONS' as const,
    url,
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  };
}

describe('CORS on every route of the shop', () => {
  it('CO-01 CO-02 preflights to any path, known or not, are answered for a listed origin and refused for another', async () => {
    const { app } = await createShop({ app: { corsOrigins: [SPA] } });
    for (const url of ['/anonymous-login', '/token/refresh', '/user/me', '/cart/add', '/health', '/no-such-route']) {
      const res = await app.inject(preflight(SPA, url));
      assert.equal(res.statusCode, 204, url);
      assert.equal(res.headers['access-control-allow-origin'], SPA, url);
      assert.match(String(res.headers['access-control-allow-headers']), /authorization/, url);
      const refused = await app.inject(preflight(OTHER, url));
      assert.equal(refused.statusCode, 403, url);
      assert.equal(refused.json().error.code, 'ERR_CORS_ORIGIN', url);
      assert.equal(refused.headers['access-control-allow-origin'], undefined, url);
    }
  });

  it('CO-03 CO-04 open routes, token endpoints, session routes and unknown paths all carry the CORS headers', async () => {
    const { app } = await createShop({ app: { corsOrigins: [SPA] } });
    const login = await app.inject({ method: 'POST', url: '/anonymous-login', headers: { origin: SPA, 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(login.statusCode, 200);
    const token = login.json().access_token as string;
    const requests = [
      { url: '/health', status: 200 },
      { url: '/items', status: 200 },
      { url: '/.well-known/jwks.json', status: 200 },
      { url: '/no-such-route', status: 404 },
      { url: '/user/me', status: 200, headers: { authorization: `Bearer ${token}` } },
    ];
    for (const { url, status, headers = {} } of requests) {
      const res = await app.inject({ method: 'GET', url, headers: { origin: SPA, ...headers } });
      assert.equal(res.statusCode, status, url);
      assert.equal(res.headers['access-control-allow-origin'], SPA, url);
      assert.equal(res.headers['access-control-allow-credentials'], 'true', url);
      assert.match(String(res.headers.vary), /Origin/, url);
      const other = await app.inject({ method: 'GET', url, headers: { origin: OTHER, ...headers } });
      assert.equal(other.headers['access-control-allow-origin'], undefined, url);
      assert.match(String(other.headers.vary), /Origin/, url);
    }
    assert.equal(login.headers['access-control-allow-origin'], SPA);
  });

  it('routes outside the session scope, unknown paths included, read no token and no cookie', async () => {
    const { app } = await createShop({ app: { corsOrigins: [SPA] } });
    const garbage = { authorization: 'Bearer not-a-token', cookie: 'sid=forged.value' };
    // Were the token read, these would be 401s.
    assert.equal((await app.inject({ method: 'GET', url: '/no-such-route', headers: garbage })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/items', headers: garbage })).statusCode, 200);
    const health = await app.inject({ method: 'GET', url: '/health', headers: garbage });
    assert.equal(health.statusCode, 200);
    assert.equal(health.headers['set-cookie'], undefined);
    // Session routes still do.
    assert.equal((await app.inject({ method: 'GET', url: '/user/me', headers: garbage })).statusCode, 401);
  });

  it('a listed origin is CSRF-trusted: its cookie requests pass, another origin is refused', async () => {
    const { app } = await createShop({ app: { corsOrigins: [SPA] } });
    const browser = await loggedIn(app, 'alice');
    const payload = JSON.stringify({ item_id: 1, quantity: 1 });
    const from = (origin: string) => ({ origin, 'sec-fetch-site': 'same-site', 'content-type': 'application/json' });
    const refused = await browser.request({ method: 'POST', url: '/cart/add', headers: from(OTHER), payload });
    assert.equal(refused.statusCode, 403);
    const passed = await browser.request({ method: 'POST', url: '/cart/add', headers: from(SPA), payload });
    assert.equal(passed.statusCode, 200);
    assert.equal(passed.headers['access-control-allow-origin'], SPA);
    assert.equal((await browser.get('/cart')).json().cart.length, 1);
  });

  it('without CORS_ORIGINS no CORS header is sent and a cross-origin preflight is refused', async () => {
    const { app } = await createShop();
    const res = await app.inject({ method: 'GET', url: '/items', headers: { origin: SPA } });
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.equal((await app.inject(preflight(SPA, '/anonymous-login'))).statusCode, 403);
    assert.equal((await createBrowser(app).get('/cart')).statusCode, 200);
  });
});
