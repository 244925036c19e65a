import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, cookiePair, HTTPS, setCookies } from './helpers.js';

const MIN = 60_000;

describe('login, logout and timeouts over HTTP', () => {
  it('LC-01 session fixation: login issues a new ticket and the planted pre-login ticket is dead', async () => {
    const { app, store } = await buildTestApp();
    const planted = cookiePair((await app.inject({ method: 'POST', url: '/cart', headers: HTTPS })).headers);
    const login = await app.inject({ method: 'POST', url: '/login', headers: { ...HTTPS, cookie: planted } });
    const fresh = cookiePair(login.headers);
    assert.notEqual(fresh, planted);
    const attacker = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: planted } });
    assert.equal(attacker.json().userId, null);
    assert.equal(attacker.json().status, 'expired');
    const oldId = planted.split('=')[1]?.slice(0, 24) as string;
    assert.equal(await store.get(oldId, Date.UTC(2026, 0, 1)), null);
  });

  it('LC-02 a well-signed ticket the server never issued creates nothing under that id', async () => {
    const { app, store } = await buildTestApp();
    const { app: other } = await buildTestApp();
    // Issued by another app with the same key, so the signature is valid here but the id is unknown.
    const foreign = cookiePair((await other.inject({ method: 'POST', url: '/cart', headers: HTTPS })).headers);
    const res = await app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie: foreign } });
    const issued = cookiePair(res.headers);
    assert.notEqual(issued.slice(0, 35), foreign.slice(0, 35));
    assert.equal(await store.get(foreign.split('=')[1]?.slice(0, 24) as string, Date.UTC(2026, 0, 1)), null);
  });

  it('LC-03 the anonymous cart survives login while the ticket rotates', async () => {
    const { app } = await buildTestApp();
    let cookie = cookiePair((await app.inject({ method: 'POST', url: '/cart', headers: HTTPS, payload: { item: 'apple' } })).headers);
    await app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie }, payload: { item: 'pear' } });
    const login = await app.inject({ method: 'POST', url: '/login', headers: { ...HTTPS, cookie } });
    const rotated = cookiePair(login.headers);
    assert.notEqual(rotated, cookie);
    cookie = rotated;
    const me = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } });
    assert.deepEqual(me.json(), { userId: 'alice', status: 'valid', cart: ['apple', 'pear'] });
  });

  it('LC-04 regenerate rotates the ticket, keeps the data, and kills the old ticket', async () => {
    const { app } = await buildTestApp();
    const before = cookiePair((await app.inject({ method: 'POST', url: '/login', headers: HTTPS })).headers);
    const after = cookiePair((await app.inject({ method: 'POST', url: '/regenerate', headers: { ...HTTPS, cookie: before } })).headers);
    assert.notEqual(after, before);
    assert.equal((await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: after } })).json().userId, 'alice');
    assert.equal((await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: before } })).json().userId, null);
  });

  it('LC-05 logout kills the server record: a copied ticket replayed afterwards is anonymous', async () => {
    const { app, store } = await buildTestApp();
    const cookie = cookiePair((await app.inject({ method: 'POST', url: '/login', headers: HTTPS })).headers);
    await app.inject({ method: 'POST', url: '/logout', headers: { ...HTTPS, cookie } });
    const replay = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } });
    assert.equal(replay.json().userId, null);
    assert.equal(replay.json().status, 'expired');
    assert.equal(await store.get(cookie.split('=')[1]?.slice(0, 24) as string, 0), null);
  });

  it('LC-07 idle timeout: idle longer than the timeout is logged out; regular activity stays in', async () => {
    const { app, clock } = await buildTestApp({ lifetime: { idleTimeout: 30 * 60, absoluteTimeout: 12 * 3600 } });
    const cookie = cookiePair((await app.inject({ method: 'POST', url: '/login', headers: HTTPS })).headers);
    for (let i = 0; i < 9; i++) {
      clock.advance(29 * MIN);
      const res = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } });
      assert.equal(res.json().userId, 'alice', `request ${i} after 29 idle minutes`);
    }
    clock.advance(30 * MIN + 1000);
    const res = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } });
    assert.equal(res.json().userId, null);
    assert.match(setCookies(res.headers)[0] as string, /^__Host-sid=; Path=\/; Max-Age=0/);
  });

  it('LC-08 absolute timeout: continuous activity cannot extend the session past its absolute lifetime', async () => {
    const { app, clock, manager } = await buildTestApp({
      lifetime: { idleTimeout: 30 * 60, absoluteTimeout: 2 * 3600, rememberIdleTimeout: 3600, rememberAbsoluteTimeout: 4 * 3600 },
    });
    const cookie = cookiePair((await app.inject({ method: 'POST', url: '/login', headers: HTTPS, payload: { remember: true } })).headers);
    const start = clock.now();
    let last = cookie;
    while (clock.now() - start < 4 * 3600 * 1000 - 15 * MIN) {
      clock.advance(15 * MIN);
      const res = await app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie } });
      assert.equal(res.statusCode, 200);
      const me = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } });
      assert.equal(me.json().userId, 'alice');
      for (const c of setCookies(res.headers)) {
        const maxAge = Number(/Max-Age=(\d+)/.exec(c)?.[1]);
        assert.ok(clock.now() + maxAge * 1000 <= start + 4 * 3600 * 1000, 'cookie never outlives the absolute limit');
        last = c;
      }
    }
    const [device] = await manager.listSessions('alice');
    assert.ok(device && device.expiresAt <= start + 4 * 3600 * 1000, 'store expiry never passes the absolute limit');
    clock.advance(15 * MIN + 1000);
    const res = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } });
    assert.equal(res.json().userId, null);
    assert.ok(last.length > 0);
  });

  it('LC-25 a write with an expired ticket goes to a new anonymous id; the dead id never reappears', async () => {
    const { app, clock, store } = await buildTestApp();
    const dead = cookiePair((await app.inject({ method: 'POST', url: '/cart', headers: HTTPS })).headers);
    clock.advance(31 * MIN);
    const res = await app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie: dead } });
    const issued = cookiePair(res.headers);
    assert.notEqual(issued, dead);
    assert.equal(await store.get(dead.split('=')[1]?.slice(0, 24) as string, clock.now()), null);
  });
});
