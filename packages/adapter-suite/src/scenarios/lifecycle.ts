// Lazy creation, login rotation, logout, and lost updates under concurrency.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildHarness, cookiePair, HTTPS, ticketId, type AppFactory } from '../harness.js';

export function lifecycleScenarios(factory: AppFactory): void {
  describe('lifecycle', () => {
    it('AB-01 a read-only visitor gets no cookie and costs no store call', async () => {
      const { app, store } = await buildHarness(factory);
      for (let i = 0; i < 100; i++) {
        const res = await app.request({ path: i % 2 ? '/public' : '/me' });
        assert.equal(res.status, 200);
        assert.deepEqual(res.cookies, []);
      }
      assert.equal(store.total(), 0);
    });

    it('LC-01 login rotates the ticket and the planted pre-login ticket is dead', async () => {
      const { app, store, clock } = await buildHarness(factory);
      const planted = cookiePair(await app.request({ method: 'POST', path: '/cart', headers: HTTPS, json: { item: 'apple' } }));
      const fresh = cookiePair(await app.request({ method: 'POST', path: '/login', headers: { ...HTTPS, cookie: planted }, json: { user: 'alice' } }));
      assert.notEqual(fresh, planted);
      const attacker = await app.request({ path: '/me', headers: { ...HTTPS, cookie: planted } });
      assert.deepEqual([attacker.json().userId, attacker.json().status], [null, 'expired']);
      assert.equal(await store.get(ticketId(planted), clock.now()), null);
    });

    it('LC-03 the anonymous cart survives login', async () => {
      const { app } = await buildHarness(factory);
      const cookie = cookiePair(await app.request({ method: 'POST', path: '/cart', headers: HTTPS, json: { item: 'apple' } }));
      await app.request({ method: 'POST', path: '/cart', headers: { ...HTTPS, cookie }, json: { item: 'pear' } });
      const rotated = cookiePair(await app.request({ method: 'POST', path: '/login', headers: { ...HTTPS, cookie } }));
      const me = await app.request({ path: '/me', headers: { ...HTTPS, cookie: rotated } });
      assert.deepEqual(me.json(), { userId: 'alice', status: 'valid', cart: ['apple', 'pear'] });
    });

    it('LC-05 logout kills the server record: the copied ticket is anonymous afterwards', async () => {
      const { app, store, clock } = await buildHarness(factory);
      const cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS }));
      assert.equal((await app.request({ method: 'POST', path: '/logout', headers: { ...HTTPS, cookie } })).status, 200);
      const replay = await app.request({ path: '/me', headers: { ...HTTPS, cookie } });
      assert.deepEqual([replay.json().userId, replay.json().status], [null, 'expired']);
      assert.equal(await store.get(ticketId(cookie), clock.now()), null);
    });

    it('SF-20 50 concurrent cart additions on one session leave 50 items', async () => {
      const { app } = await buildHarness(factory);
      const cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS }));
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => app.request({ method: 'POST', path: '/cart', headers: { ...HTTPS, cookie }, json: { item: `item-${i}` } })),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        Array(50).fill(200),
      );
      const cart = (await app.request({ path: '/me', headers: { ...HTTPS, cookie } })).json().cart as string[];
      assert.deepEqual([...cart].sort(), Array.from({ length: 50 }, (_, i) => `item-${i}`).sort());
    });
  });
}
