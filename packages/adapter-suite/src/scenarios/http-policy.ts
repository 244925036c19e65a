// Error bodies, CORS and proxy trust: one policy, identical on every adapter.
// (ER-01, CO-01..CO-04, PT-01..PT-03)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildHarness, cookiePair, HTTPS, INTERNAL_DETAIL, type AppFactory } from '../harness.js';

const APP = 'https://app.test';
const CORS = { cors: { origins: [APP], maxAge: 300 } };

export function httpPolicyScenarios(factory: AppFactory): void {
  describe('error bodies', () => {
    it('ER-01 no internal message reaches a client: a thrown store error, a thrown 5xx session error, a failed commit', async () => {
      const { app } = await buildHarness(factory);
      const cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS }));
      const store = await app.request({ path: '/throw-store', headers: { ...HTTPS, cookie } });
      assert.equal(store.status, 503);
      assert.deepEqual(store.json(), { error: { code: 'ERR_SESSION_STORE_UNAVAILABLE', message: 'The session store is unavailable; try again shortly.' } });
      assert.equal(store.headers['retry-after'], '1');
      for (const res of [
        await app.request({ path: '/throw-internal', headers: { ...HTTPS, cookie } }),
        await app.request({ method: 'POST', path: '/unserializable', headers: { ...HTTPS, cookie } }),
      ]) {
        assert.equal(res.status, 500, res.body);
        assert.deepEqual(res.json(), { error: { code: 'ERR_SESSION_NOT_SERIALIZABLE', message: 'Something went wrong on our side.' } });
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.equal(res.headers['retry-after'], undefined);
        assert.deepEqual(res.cookies, []);
      }
      for (const res of [store]) assert.ok(!res.body.includes(INTERNAL_DETAIL));
    });
  });

  describe('CORS', () => {
    it('CO-01 a preflight from a listed origin: 204 with methods, Authorization, Content-Type and the CSRF header, max-age; never *', async () => {
      const { app } = await buildHarness(factory, {}, undefined, CORS);
      const res = await app.request({
        method: 'OPTIONS',
        path: '/cart',
        headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-csrf-token' },
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers['access-control-allow-origin'], APP);
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.match(res.headers['access-control-allow-methods'] ?? '', /POST/);
      for (const name of ['authorization', 'content-type', 'x-csrf-token']) assert.match(res.headers['access-control-allow-headers'] ?? '', new RegExp(name));
      assert.equal(res.headers['access-control-max-age'], '300');
      assert.match(res.headers.vary ?? '', /Origin/);
    });

    it('CO-02 a preflight from an unlisted origin: 403 ERR_CORS_ORIGIN and no CORS headers', async () => {
      const { app } = await buildHarness(factory, {}, undefined, CORS);
      for (const origin of ['https://evil.test', 'https://app.test.evil.test', 'null', 'http://app.test']) {
        const res = await app.request({ method: 'OPTIONS', path: '/cart', headers: { origin, 'access-control-request-method': 'POST' } });
        assert.equal(res.status, 403, origin);
        assert.equal(res.json().error.code, 'ERR_CORS_ORIGIN');
        assert.equal(res.headers['access-control-allow-origin'], undefined);
        assert.equal(res.headers['access-control-allow-credentials'], undefined);
        assert.match(res.headers.vary ?? '', /Origin/);
      }
    });

    it('CO-03 a credentialed request from a listed origin gets its origin and credentials back; an unlisted one gets neither', async () => {
      const { app } = await buildHarness(factory, {}, undefined, CORS);
      const cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS }));
      const listed = await app.request({ path: '/me', headers: { ...HTTPS, cookie, origin: APP } });
      assert.equal(listed.status, 200);
      assert.equal(listed.json().userId, 'alice');
      assert.equal(listed.headers['access-control-allow-origin'], APP);
      assert.equal(listed.headers['access-control-allow-credentials'], 'true');
      const refused = await app.request({ path: '/me', headers: { ...HTTPS, cookie, origin: 'https://evil.test' } });
      assert.equal(refused.headers['access-control-allow-origin'], undefined);
      assert.equal(refused.headers['access-control-allow-credentials'], undefined);
    });

    it('CO-04 Vary: Origin on every response once CORS is configured: no Origin, errors and the login that sets a cookie', async () => {
      const { app } = await buildHarness(factory, {}, undefined, CORS);
      const login = await app.request({ method: 'POST', path: '/login', headers: { ...HTTPS, origin: APP } });
      assert.equal(login.cookies.length, 1);
      const csrf = await app.request({
        method: 'POST',
        path: '/cart',
        headers: { 'x-forwarded-proto': 'https', origin: 'https://evil.test', cookie: cookiePair(login) },
      });
      assert.equal(csrf.status, 403);
      for (const res of [
        login,
        csrf,
        await app.request({ path: '/public' }),
        await app.request({ path: '/throw-store', headers: { ...HTTPS, origin: APP } }),
      ]) {
        assert.match(res.headers.vary ?? '', /Origin/, String(res.status));
      }
    });
  });

  describe('proxy trust', () => {
    it('PT-01 X-Forwarded-Proto from an untrusted peer is ignored: the request is plain HTTP (development cookie)', async () => {
      const { app } = await buildHarness(factory, {}, undefined, { trustProxy: ['10.77.0.0/16'] });
      const res = await app.request({ method: 'POST', path: '/login', headers: HTTPS });
      assert.match(cookiePair(res), /^sid=/);
      assert.doesNotMatch(res.cookies[0] ?? '', /Secure/);
    });

    it("PT-02 from a trusted hop it is honoured: __Host- cookie, Secure; the scheme is the outermost trusted hop's", async () => {
      const { app } = await buildHarness(factory, {}, undefined, { trustProxy: 1 });
      const res = await app.request({ method: 'POST', path: '/login', headers: HTTPS });
      assert.match(cookiePair(res), /^__Host-sid=/);
      assert.match(res.cookies[0] ?? '', /Secure/);
      // Two proxies appended; only the nearest is trusted, and it saw plain HTTP.
      const spoofed = await app.request({ method: 'POST', path: '/login', headers: { 'x-forwarded-proto': 'https, http', 'sec-fetch-site': 'same-origin' } });
      assert.match(cookiePair(spoofed), /^sid=/);
    });

    it('PT-03 RFC 7239 Forwarded is read the same way, and used instead of X-Forwarded-Proto', async () => {
      const { app } = await buildHarness(factory, {}, undefined, { trustProxy: 1 });
      const res = await app.request({
        method: 'POST',
        path: '/login',
        headers: { forwarded: 'for=192.0.2.60;proto=https;by=203.0.113.43', 'x-forwarded-proto': 'http', 'sec-fetch-site': 'same-origin' },
      });
      assert.match(cookiePair(res), /^__Host-sid=/);
      const untrusted = await buildHarness(factory, {}, undefined, { trustProxy: false });
      const plain = await untrusted.app.request({ method: 'POST', path: '/login', headers: { forwarded: 'proto=https', 'sec-fetch-site': 'same-origin' } });
      assert.match(cookiePair(plain), /^sid=/);
    });
  });
}
