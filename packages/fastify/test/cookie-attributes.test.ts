import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, cookiePair, HTTPS, setCookies } from './helpers.js';

const TICKET = '[A-Za-z0-9_-]{24}\\.[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}';

describe('Set-Cookie attributes over HTTPS', () => {
  it('CK-01 CK-02 CK-03 CK-16 anonymous ticket is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'POST', url: '/cart', headers: HTTPS });
    assert.equal(res.statusCode, 200);
    const cookies = setCookies(res.headers);
    assert.equal(cookies.length, 1);
    assert.match(cookies[0] as string, new RegExp(`^__Host-sid=${TICKET}; Path=/; HttpOnly; Secure; SameSite=Lax$`));
  });

  it('CK-05 login without remember-me gives a browser-session cookie (no Max-Age, no Expires)', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'POST', url: '/login', headers: HTTPS, payload: { user: 'alice' } });
    const cookie = setCookies(res.headers)[0] as string;
    assert.match(cookie, new RegExp(`^__Host-sid=${TICKET}; Path=/; HttpOnly; Secure; SameSite=Lax$`));
    assert.doesNotMatch(cookie, /Max-Age|Expires/);
  });

  it('CK-06 remember-me gives an integer Max-Age equal to the remember-me idle timeout and a matching Expires', async () => {
    const { app, clock } = await buildTestApp({ lifetime: { rememberIdleTimeout: 7 * 86400, rememberAbsoluteTimeout: 30 * 86400 } });
    const res = await app.inject({ method: 'POST', url: '/login', headers: HTTPS, payload: { user: 'alice', remember: true } });
    const cookie = setCookies(res.headers)[0] as string;
    const maxAge = /; Max-Age=(\d+);/.exec(cookie)?.[1];
    assert.equal(maxAge, String(7 * 86400));
    const expires = /; Expires=([^;]+);/.exec(cookie)?.[1] as string;
    assert.equal(Date.parse(expires), clock.now() + 7 * 86400 * 1000);
    assert.match(cookie, /; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('CK-03 sameSite strict is emitted as SameSite=Strict', async () => {
    const { app } = await buildTestApp({ cookie: { sameSite: 'strict' } });
    const res = await app.inject({ method: 'POST', url: '/cart', headers: HTTPS });
    assert.match(setCookies(res.headers)[0] as string, /; SameSite=Strict$/);
  });

  it('CK-07 logout clears the cookie with the same name, path and security attributes', async () => {
    const { app } = await buildTestApp();
    const login = await app.inject({ method: 'POST', url: '/login', headers: HTTPS });
    const res = await app.inject({ method: 'POST', url: '/logout', headers: { ...HTTPS, cookie: cookiePair(login.headers) } });
    assert.deepEqual(setCookies(res.headers), ['__Host-sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax']);
  });

  it('CK-18 a partitioned cookie carries Partitioned when set and when cleared, so the browser deletes it in its partition', async () => {
    const { app } = await buildTestApp({ cookie: { partitioned: true, sameSite: 'none', secure: true } });
    const login = await app.inject({ method: 'POST', url: '/login', headers: HTTPS });
    assert.match(setCookies(login.headers)[0] as string, new RegExp(`^__Host-sid=${TICKET}; Path=/; HttpOnly; Secure; SameSite=None; Partitioned$`));
    const res = await app.inject({ method: 'POST', url: '/logout', headers: { ...HTTPS, cookie: cookiePair(login.headers) } });
    assert.deepEqual(setCookies(res.headers), [
      '__Host-sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None; Partitioned',
    ]);
  });

  it('CK-12 responses that set a ticket or carry an authenticated session are not cacheable', async () => {
    const { app } = await buildTestApp();
    const login = await app.inject({ method: 'POST', url: '/login', headers: HTTPS });
    assert.equal(login.headers['cache-control'], 'no-store');
    const me = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: cookiePair(login.headers) } });
    assert.match(String(me.headers['cache-control']), /no-store/);
  });

  it('CK-13 an unchanged session gets no Set-Cookie; one response never sets the name twice', async () => {
    const { app } = await buildTestApp();
    const first = await app.inject({ method: 'POST', url: '/cart', headers: HTTPS });
    const cookie = cookiePair(first.headers);
    for (let i = 0; i < 10; i++) {
      const res = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['set-cookie'], undefined);
    }
    const regen = await app.inject({ method: 'POST', url: '/regenerate', headers: { ...HTTPS, cookie } });
    assert.equal(setCookies(regen.headers).length, 1);
  });
});

describe('plain-HTTP development', () => {
  it('CK-01 on http://localhost outside production the cookie drops the prefix and Secure so browsers keep it', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'POST', url: '/cart' });
    assert.match(setCookies(res.headers)[0] as string, new RegExp(`^sid=${TICKET}; Path=/; HttpOnly; SameSite=Lax$`));
  });

  it('CK-08 in production a plain-HTTP request still gets only the Secure __Host- cookie, and an error is logged', async () => {
    const errors: string[] = [];
    const logger = { warn() {}, error: (message: string) => void errors.push(message) };
    const { app } = await buildTestApp({ production: true, logger });
    const res = await app.inject({ method: 'POST', url: '/cart' });
    assert.match(setCookies(res.headers)[0] as string, /^__Host-sid=.*; Secure; SameSite=Lax$/);
    assert.equal(errors.length, 1);
    assert.match(errors[0] as string, /plain-HTTP request in production/);
  });
});
