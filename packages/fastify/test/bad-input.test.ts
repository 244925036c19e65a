import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { buildTestApp, cookiePair, HTTPS } from './helpers.js';

async function validTicket() {
  const ctx = await buildTestApp();
  const cookie = cookiePair((await ctx.app.inject({ method: 'POST', url: '/login', headers: HTTPS })).headers);
  return { ...ctx, cookie, value: cookie.slice('__Host-sid='.length) };
}

describe('bad tickets never reach the store and never give a 5xx', () => {
  it('BI-01 a valid-format ticket with a wrong signature is no session and costs no store lookup', async () => {
    const { app, store, value } = await validTicket();
    const last = value.at(-1) === 'A' ? 'B' : 'A';
    const gets = store.counts.get;
    const res = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: `__Host-sid=${value.slice(0, -1)}${last}` } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().userId, null);
    assert.equal(res.json().status, 'invalid');
    assert.equal(store.counts.get, gets);
  });

  it('BI-02 trailing garbage, truncation, other base64 alphabets and padding are all rejected without a lookup', async () => {
    const { app, store, value } = await validTicket();
    const variants = [
      `${value}x`,
      value.slice(0, -1),
      value.slice(0, -10),
      `${value}=`,
      value.replace(/-/g, '+').replace(/_/g, '/') === value ? `${value.slice(0, -1)}+` : value.replace(/-/g, '+').replace(/_/g, '/'),
      `${value.slice(0, 24)}.${value.slice(25, 68)}`,
      ` ${value}x`,
    ];
    const gets = store.counts.get;
    for (const bad of variants) {
      const res = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: `__Host-sid=${bad}` } });
      assert.equal(res.statusCode, 200, bad);
      assert.equal(res.json().userId, null, bad);
    }
    assert.equal(store.counts.get, gets);
  });

  it('BI-03 the bare id without secret and signature is rejected', async () => {
    const { app, store, value } = await validTicket();
    const gets = store.counts.get;
    const res = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: `__Host-sid=${value.slice(0, 24)}` } });
    assert.equal(res.json().userId, null);
    assert.equal(store.counts.get, gets);
  });

  it('BI-04 malformed Cookie headers parse deterministically; a ticket in a split header is still found', async () => {
    const { app, cookie } = await validTicket();
    const malformed = ['a', '=v', ';;;', 'sid=%E0%A4%A', '__Host-sid="quoted"', '\t__Host-sid\t=\t', ';'.repeat(1000), '__Host-sid=', '__Host-sid'];
    for (const header of malformed) {
      const res = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: header } });
      assert.equal(res.statusCode, 200, header);
      assert.equal(res.json().userId, null, header);
    }
    const split = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: ['theme=dark', cookie] } });
    assert.equal(split.json().userId, 'alice');
    const spaced = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: `a=1;   ${cookie} ; b=2` } });
    assert.equal(spaced.json().userId, 'alice');
  });

  it('BI-05 two values for the session cookie are ambiguous: no session, and the name is cleared', async () => {
    const { app, cookie } = await validTicket();
    const other = cookiePair((await app.inject({ method: 'POST', url: '/cart', headers: HTTPS })).headers);
    const res = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: `${other}; ${cookie}` } });
    assert.equal(res.json().userId, null);
    assert.equal(res.json().status, 'ambiguous');
    assert.match(String(res.headers['set-cookie']), /^__Host-sid=; Path=\/; Max-Age=0/);
    const lookalike = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: `x__Host-sid=junk; sid=junk; ${cookie}` } });
    assert.equal(lookalike.json().userId, 'alice');
  });

  it('BI-06 prefix case tricks are ignored; only the exact name is read', async () => {
    const { app, value } = await validTicket();
    for (const name of ['__host-sid', '__HOST-sid', '__Host-SID', '__Secure-sid']) {
      const res = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: `${name}=${value}` } });
      assert.equal(res.json().userId, null, name);
    }
  });

  it('BI-07 a 20 KB Cookie header gets 431 and the process keeps serving; 1000 small cookies parse', async () => {
    const { app, cookie } = await validTicket();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const get = (cookieHeader: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/me', headers: { cookie: cookieHeader, 'x-forwarded-proto': 'https' } }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      // A raw socket: the server answers 431 and closes while a client library may still be writing.
      const raw = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('error', () => resolve(text));
        socket.on('close', () => resolve(text));
        socket.write(`GET /me HTTP/1.1\r\nHost: localhost\r\nCookie: big=${'x'.repeat(20 * 1024)}\r\n\r\n`);
      });
      assert.match(raw, /^HTTP\/1\.1 431 /);
      const many = Array.from({ length: 1000 }, (_, i) => `c${i}=v${i}`).join('; ');
      const res = await get(`${many}; ${cookie}`);
      assert.equal(res.status, 200);
      assert.equal(JSON.parse(res.body).userId, 'alice');
    } finally {
      await app.close();
    }
  });

  it('BI-08 ids with wildcards, quotes, NUL, unicode or 1 KB length are rejected before the store', async () => {
    const { app, store, manager } = await validTicket();
    const ids = ['*', '?', '[a]', "'", '%', '\0', 'é'.repeat(24), 'a'.repeat(1024), 'sess:*', '../../etc'];
    const gets = store.counts.get;
    for (const id of ids) {
      const res = await app.inject({
        method: 'GET',
        url: '/me',
        headers: { ...HTTPS, cookie: `__Host-sid=${encodeURIComponent(id)}.${'a'.repeat(43)}.${'b'.repeat(43)}` },
      });
      assert.equal(res.statusCode, 200);
      assert.equal(await manager.revokeSession('alice', id), false);
    }
    assert.equal(store.counts.get, gets);
  });

  it('BI-09 non-string ids never reach the store', async () => {
    const { store, manager } = await validTicket();
    const gets = store.counts.get;
    for (const id of [['a'], { id: 'a' }, 42, null, undefined]) {
      assert.equal(await manager.revokeSession('alice', id as unknown as string), false);
    }
    assert.equal(store.counts.get, gets);
  });

  it('BI-18 fuzzed Cookie headers never give a 5xx and never authenticate', async () => {
    const { app, value } = await validTicket();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ maxLength: 120 }).map((s) => `__Host-sid=${s}`),
          fc
            .tuple(fc.nat({ max: value.length - 1 }), fc.constantFrom(...'ABCxyz09-_.=;'))
            .map(([i, c]) => `__Host-sid=${value.slice(0, i)}${c}${value.slice(i + 1)}`),
        ),
        async (header) => {
          const res = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: header } });
          assert.ok(res.statusCode < 500);
          if (header !== `__Host-sid=${value}`) assert.equal(res.json().userId, null);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('store failures inside handlers', () => {
  it('SF-02 a store error thrown from a handler answers 503 with the code and no driver details', async () => {
    // A real driver failure: an SQLite store whose connection is closed.
    const { sqliteStore } = await import('@coatcheck/sqlite');
    const closed = sqliteStore({ filename: ':memory:', pruneIntervalMs: 0 });
    await closed.close();
    const { app } = await buildTestApp({}, closed);
    const res = await app.inject({ method: 'POST', url: '/login', headers: HTTPS });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
    assert.doesNotMatch(res.body, /not open|closed|sqlite3|better/i);
    assert.equal(res.headers['set-cookie'], undefined);
  });
});
