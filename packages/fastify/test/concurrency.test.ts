import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, cookiePair, HTTPS, setCookies } from './helpers.js';

/** A promise with its resolver, to hold a request open at a chosen point. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('concurrent requests on one session', () => {
  it('SF-20 lost updates: 50 concurrent cart additions leave 50 items', async () => {
    const { app } = await buildTestApp();
    const cookie = cookiePair((await app.inject({ method: 'POST', url: '/login', headers: HTTPS })).headers);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie }, payload: { item: `item-${i}` } })),
    );
    assert.ok(results.every((r) => r.statusCode === 200));
    const cart = (await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } })).json().cart as string[];
    assert.equal(cart.length, 50);
    assert.deepEqual([...cart].sort(), Array.from({ length: 50 }, (_, i) => `item-${i}`).sort());
  });

  it('SF-20 lost updates across two managers on one store (two app instances): both changes survive', async () => {
    const first = await buildTestApp();
    const second = await buildTestApp({}, first.store);
    const cookie = cookiePair((await first.app.inject({ method: 'POST', url: '/login', headers: HTTPS })).headers);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? first.app : second.app).inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie }, payload: { item: `i${i}` } }),
      ),
    );
    assert.ok(results.every((r) => r.statusCode === 200));
    const cart = (await first.app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } })).json().cart as string[];
    assert.equal(cart.length, 40);
  });

  it('SF-21 a request that loaded the session before logout cannot bring it back', async () => {
    const hold = gate();
    const loaded = gate();
    const { app, store, clock } = await buildTestApp({}, undefined, (app) =>
      app.post('/slow', async (req) => {
        loaded.open();
        await hold.opened;
        req.session.set('late', true);
        return { ok: true };
      }),
    );
    const cookie = cookiePair((await app.inject({ method: 'POST', url: '/login', headers: HTTPS })).headers);
    const slow = app.inject({ method: 'POST', url: '/slow', headers: { ...HTTPS, cookie } });
    await loaded.opened;
    await app.inject({ method: 'POST', url: '/logout', headers: { ...HTTPS, cookie } });
    hold.open();
    const res = await slow;
    assert.equal(res.statusCode, 200);
    assert.match(setCookies(res.headers)[0] ?? '', /^__Host-sid=; /, 'the late response clears the cookie instead of renewing it');
    assert.equal(await store.get(cookie.split('=')[1]?.slice(0, 24) as string, clock.now()), null);
    assert.deepEqual(await store.listByUser('alice', clock.now()), []);
  });

  it('SF-22 a slow request on the pre-login ticket neither recreates it nor overwrites the new session', async () => {
    const hold = gate();
    const loaded = gate();
    const { app, store, clock } = await buildTestApp({}, undefined, (app) =>
      app.post('/slow-cart', async (req) => {
        loaded.open();
        await hold.opened;
        req.session.update('cart', () => ['stale']);
        return { ok: true };
      }),
    );
    const anon = cookiePair((await app.inject({ method: 'POST', url: '/cart', headers: HTTPS, payload: { item: 'apple' } })).headers);
    const slow = app.inject({ method: 'POST', url: '/slow-cart', headers: { ...HTTPS, cookie: anon } });
    await loaded.opened;
    const authed = cookiePair((await app.inject({ method: 'POST', url: '/login', headers: { ...HTTPS, cookie: anon } })).headers);
    hold.open();
    await slow;
    assert.equal(await store.get(anon.split('=')[1]?.slice(0, 24) as string, clock.now()), null);
    const me = (await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie: authed } })).json();
    assert.deepEqual(me.cart, ['apple']);
  });
});

describe('lazy creation', () => {
  it('AB-01 cookie-less reads create no session: zero store calls, zero Set-Cookie', async () => {
    const { app, store } = await buildTestApp();
    for (let i = 0; i < 1000; i++) {
      const res = await app.inject({ method: 'GET', url: i % 2 ? '/public' : '/me' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['set-cookie'], undefined);
    }
    const total = Object.values(store.counts).reduce((a, b) => a + b, 0);
    assert.equal(total, 0);
  });

  it('a read-only request on a live session writes nothing until the touch interval has passed', async () => {
    const { app, store, clock } = await buildTestApp({ lifetime: { idleTimeout: 1800, touchAfter: 60 } });
    const cookie = cookiePair((await app.inject({ method: 'POST', url: '/login', headers: HTTPS })).headers);
    const before = store.writes();
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } });
    }
    assert.equal(store.writes(), before);
    clock.advance(20_000);
    await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } });
    assert.equal(store.counts.touch, 1);
  });
});
