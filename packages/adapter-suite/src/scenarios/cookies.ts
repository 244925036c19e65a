// Exact Set-Cookie attributes and cache headers, identical on every adapter. (CK-*)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildHarness, cookiePair, HTTPS, type AppFactory } from '../harness.js';

const TICKET = '[A-Za-z0-9_-]{24}\\.[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}';

export function cookieScenarios(factory: AppFactory): void {
  describe('Set-Cookie attributes', () => {
    it('CK-01 CK-02 CK-03 CK-16 anonymous ticket is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
      const { app } = await buildHarness(factory);
      const res = await app.request({ method: 'POST', path: '/cart', headers: HTTPS, json: { item: 'apple' } });
      assert.equal(res.status, 200);
      assert.equal(res.cookies.length, 1);
      assert.match(res.cookies[0] as string, new RegExp(`^__Host-sid=${TICKET}; Path=/; HttpOnly; Secure; SameSite=Lax$`));
      assert.equal(res.headers['cache-control'], 'no-store');
    });

    it('CK-05 login without remember-me gives a browser-session cookie (no Max-Age, no Expires)', async () => {
      const { app } = await buildHarness(factory);
      const res = await app.request({ method: 'POST', path: '/login', headers: HTTPS, json: { user: 'alice' } });
      assert.match(res.cookies[0] as string, new RegExp(`^__Host-sid=${TICKET}; Path=/; HttpOnly; Secure; SameSite=Lax$`));
    });

    it('CK-06 remember-me gives Max-Age equal to the remember-me idle timeout and a matching Expires', async () => {
      const { app, clock } = await buildHarness(factory, { lifetime: { rememberIdleTimeout: 7 * 86400, rememberAbsoluteTimeout: 30 * 86400 } });
      const res = await app.request({ method: 'POST', path: '/login', headers: HTTPS, json: { user: 'alice', remember: true } });
      const cookie = res.cookies[0] as string;
      assert.equal(/; Max-Age=(\d+);/.exec(cookie)?.[1], String(7 * 86400));
      assert.equal(Date.parse(/; Expires=([^;]+);/.exec(cookie)?.[1] as string), clock.now() + 7 * 86400 * 1000);
    });

    it('CK-07 logout clears the cookie with the same name, path and security attributes', async () => {
      const { app } = await buildHarness(factory);
      const cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS }));
      const res = await app.request({ method: 'POST', path: '/logout', headers: { ...HTTPS, cookie } });
      assert.deepEqual(res.cookies, ['__Host-sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax']);
    });

    it('CK-12 CK-13 an authenticated read is not cacheable and sets no cookie; regenerate sets exactly one', async () => {
      const { app } = await buildHarness(factory);
      const cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS }));
      for (let i = 0; i < 5; i++) {
        const res = await app.request({ path: '/me', headers: { ...HTTPS, cookie } });
        assert.equal(res.status, 200);
        assert.deepEqual(res.cookies, []);
        assert.match(res.headers['cache-control'] ?? '', /no-store/);
      }
      const regen = await app.request({ method: 'POST', path: '/regenerate', headers: { ...HTTPS, cookie } });
      assert.equal(regen.cookies.length, 1);
    });

    it('CK-01 on plain-HTTP development the cookie drops the prefix and Secure', async () => {
      const { app } = await buildHarness(factory);
      const res = await app.request({ method: 'POST', path: '/cart', json: { item: 'apple' } });
      assert.match(res.cookies[0] as string, new RegExp(`^sid=${TICKET}; Path=/; HttpOnly; SameSite=Lax$`));
    });
  });
}
