// LC-23: requests running at the same time never see each other's session. Two hundred users,
// half with a cookie and half with an access token, ask who they are (and what is in their
// cart) all at once over real HTTP, for twenty rounds, with the shared caches on (the local
// record cache behind a bus, and the verified-ticket and verified-token caches) and the clock
// moving so touches are written while others read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { memoryBus } from 'coatcheck/bus';
import { ITEMS } from '../src/catalog/items.js';
import { createBrowser, createShop, PASSWORD } from './helpers.js';

const USERS = 200;
const ROUNDS = 20;

interface Caller {
  username: string;
  id: string;
  /** `Cookie` or `Authorization` header. */
  headers: Record<string, string>;
  /** Only the cookie users have a cart, different for each. */
  cart: Array<{ item_id: number; quantity: number }> | null;
}

describe('cross-user isolation', () => {
  it('LC-23 200 users asking at once who they are, 20 rounds over real HTTP: every answer is the caller’s own', async () => {
    const shop = await createShop({
      // Cheap hashes and no throttles: this test is about sessions, and registers and logs in
      // 200 users from one address (the throttles have tests of their own).
      app: {
        bus: memoryBus(),
        passwordHashing: { params: { N: 16, r: 1, p: 1 }, concurrency: 4, maxQueued: 1024 },
        throttles: { loginAddress: null, loginAccountAddress: null, loginAccount: null, registerAddress: null, refreshAddress: null, newSessions: null },
      },
    });
    const callers: Caller[] = [];
    for (let i = 0; i < USERS; i++) {
      const username = `user${String(i).padStart(3, '0')}`;
      const browser = createBrowser(shop.app);
      const registered = await browser.post('/register', { username, password: PASSWORD });
      assert.equal(registered.statusCode, 201);
      const id = registered.json().id as string;
      if (i % 2 === 0) {
        // A cart no other user has: item and quantity together differ for each.
        const cart = [{ item_id: (ITEMS[i % ITEMS.length] as { id: number }).id, quantity: ((i / 2) % 99) + 1 }];
        assert.equal((await browser.post('/cart/add', cart[0])).statusCode, 200);
        assert.equal((await browser.post('/login', { username, password: PASSWORD })).statusCode, 200);
        callers.push({ username, id, headers: { cookie: browser.cookie as string }, cart });
      } else {
        const token = await browser.post('/token', { username, password: PASSWORD });
        callers.push({ username, id, headers: { authorization: `Bearer ${token.json().access_token}` }, cart: null });
      }
    }

    await shop.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(shop.app.server.address() as AddressInfo).port}`;
    const mixups: string[] = [];
    let answers = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Every other round a touch is due: reads and writes of all sessions interleave.
      shop.clock.advance(31_000);
      await Promise.all(
        callers.map(async (caller, n) => {
          const path = caller.cart === null ? '/user/me' : (round + n) % 2 === 0 ? '/profile' : '/cart';
          const res = await fetch(`${base}${path}`, { headers: caller.headers });
          assert.equal(res.status, 200, `${caller.username} ${path}`);
          const body = (await res.json()) as Record<string, any>;
          const seen = path === '/user/me' ? body.current_user_id : path === '/profile' ? body.user.id : JSON.stringify(body.cart);
          const expected = path === '/cart' ? JSON.stringify(caller.cart) : caller.id;
          if (seen !== expected) mixups.push(`${caller.username} ${path} got ${seen}`);
          if (path === '/profile' && body.user.username !== caller.username) mixups.push(`${caller.username} got ${body.user.username}`);
          answers++;
        }),
      );
    }
    assert.deepEqual(mixups, []);
    assert.equal(answers, USERS * ROUNDS);
  });
});
