// A store outage is never a logout, and bad cookies never give a 5xx. (SF-06, SF-07, BI-*)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { sqliteStore } from '@coatcheck/sqlite';
import { buildHarness, cookiePair, HTTPS, type AppFactory } from '../harness.js';
import { SUITE_HOST } from '../client.js';

/** Raw bytes to the server: a client library may refuse to send a 20 KB header. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    socket.on('error', () => resolve(received));
    socket.on('close', () => resolve(received));
    socket.write(text);
  });
}

export function faultScenarios(factory: AppFactory): void {
  describe('store outage', () => {
    it('SF-06 SF-07 with the store down: 503 with the code, the cookie untouched; public pages still 200', async () => {
      // A real driver failure: an SQLite store whose connection has been closed.
      const sqlite = sqliteStore({ filename: ':memory:', pruneIntervalMs: 0 });
      const { app, store } = await buildHarness(factory, {}, sqlite);
      const cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS }));
      await sqlite.close();
      const attempts = [
        await app.request({ path: '/me', headers: { ...HTTPS, cookie } }),
        await app.request({ method: 'POST', path: '/cart', headers: { ...HTTPS, cookie }, json: { item: 'apple' } }),
        // No cookie: the failure comes from the handler's login() ...
        await app.request({ method: 'POST', path: '/login', headers: HTTPS }),
        // ... and from the commit that would create the session.
        await app.request({ method: 'POST', path: '/cart', headers: HTTPS, json: { item: 'apple' } }),
      ];
      for (const res of attempts) {
        assert.equal(res.status, 503, res.body);
        assert.equal(res.json().error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
        assert.doesNotMatch(res.body, /sqlite|not open|closed|at /i);
        assert.deepEqual(res.cookies, []);
        assert.equal(res.headers['retry-after'], '1');
      }
      const calls = store.total();
      const open = await app.request({ path: '/public' });
      assert.equal(open.status, 200);
      assert.equal(store.total(), calls);
    });
  });

  describe('bad cookies', () => {
    it('BI-04 malformed Cookie headers are no session, never a 5xx; a ticket in a split header is found', async () => {
      const { app } = await buildHarness(factory);
      const cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS }));
      for (const header of [
        'a',
        '=v',
        ';;;',
        'sid=%E0%A4%A',
        '__Host-sid="quoted"',
        '\t__Host-sid\t=\t',
        ';'.repeat(1000),
        '__Host-sid=',
        '__Host-sid',
        `__Host-sid=${'x'.repeat(2000)}`,
      ]) {
        const res = await app.request({ path: '/me', headers: { ...HTTPS, cookie: header } });
        assert.equal(res.status, 200, header);
        assert.equal(res.json().userId, null, header);
      }
      const split = await app.request({ path: '/me', headers: { ...HTTPS, cookie: ['theme=dark', cookie] } });
      assert.equal(split.json().userId, 'alice');
    });

    it('BI-05 two values for the session cookie are ambiguous: no session, and the name is cleared', async () => {
      const { app } = await buildHarness(factory);
      const victim = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS }));
      const attacker = cookiePair(await app.request({ method: 'POST', path: '/cart', headers: HTTPS, json: { item: 'x' } }));
      const res = await app.request({ path: '/me', headers: { ...HTTPS, cookie: `${attacker}; ${victim}` } });
      assert.deepEqual([res.json().userId, res.json().status], [null, 'ambiguous']);
      assert.match(res.cookies[0] ?? '', /^__Host-sid=; Path=\/; Max-Age=0/);
    });

    it('BI-07 a 20 KB Cookie header gets 431 and the server keeps serving; 1000 small cookies parse', async (t) => {
      const { app } = await buildHarness(factory);
      const cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS }));
      const many = Array.from({ length: 1000 }, (_, i) => `c${i}=v${i}`).join('; ');
      const res = await app.request({ path: '/me', headers: { ...HTTPS, cookie: `${many}; ${cookie}` } });
      assert.equal(res.json().userId, 'alice');
      if (app.port === null) return t.diagnostic('in-process requests have no HTTP parser; the 431 is proven by the real-HTTP run');
      const raw = await rawRequest(app.port, `GET /me HTTP/1.1\r\nHost: ${SUITE_HOST}\r\nCookie: big=${'x'.repeat(20 * 1024)}\r\n\r\n`);
      assert.match(raw, /^HTTP\/1\.1 431 /);
      assert.equal((await app.request({ path: '/public' })).status, 200);
    });
  });
}
