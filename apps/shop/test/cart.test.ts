import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { addToCart, MAX_CART_LINES } from '../src/cart/cart.js';
import { createBrowser, createShop, loggedIn, setCookies, ticketId } from './helpers.js';

/**
 * A test-only route that loads the session, waits until the test opens the gate, and only
 * then writes to it: the "slow request" of SF-21/SF-22.
 */
function slowWriteRoute() {
  let entered!: () => void;
  let release!: () => void;
  const started = new Promise<void>((resolve) => (entered = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const routes = (scope: FastifyInstance) => {
    scope.post('/test/slow-add', async (request) => {
      entered();
      await gate;
      request.session.update('cart', (cart) => addToCart(cart, 'late-item', 1));
      return { ok: true };
    });
  };
  return { routes, started, release };
}

describe('the cart', () => {
  it('works anonymously: items merge by id, and the cart reads back', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    const first = await browser.post('/cart/add', { item_id: 'apple' });
    assert.equal(first.statusCode, 200);
    assert.deepEqual(first.json(), { cart: [{ item_id: 'apple', quantity: 1 }] });
    assert.ok(browser.cookie, 'the first write creates the session');
    await browser.post('/cart/add', { item_id: 'pear', quantity: 3 });
    const third = await browser.post('/cart/add', { item_id: 'apple', quantity: 2 });
    const expected = { cart: [{ item_id: 'apple', quantity: 3 }, { item_id: 'pear', quantity: 3 }] };
    assert.deepEqual(third.json(), expected);
    assert.deepEqual((await browser.get('/cart')).json(), expected);
  });

  it('AB-01 reading an empty cart creates no session and sets no cookie', async () => {
    const { app, db } = await createShop();
    const res = await app.inject({ method: 'GET', url: '/cart' });
    assert.deepEqual(res.json(), { cart: [] });
    assert.deepEqual(setCookies(res), []);
    const { n } = db.prepare('SELECT count(*) AS n FROM coatcheck_sessions').get() as { n: number };
    assert.equal(n, 0);
  });

  it('refuses adds beyond the per-item and per-cart limits with 409', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    for (let i = 0; i < 10; i++) await browser.post('/cart/add', { item_id: 'bulk', quantity: 99 });
    const over = await browser.post('/cart/add', { item_id: 'bulk', quantity: 10 });
    assert.equal(over.statusCode, 409);
    assert.equal(over.json().error.code, 'ERR_CART_QUANTITY');
    for (let i = 1; i < MAX_CART_LINES; i++) await browser.post('/cart/add', { item_id: `item-${i}` });
    const full = await browser.post('/cart/add', { item_id: 'one-too-many' });
    assert.equal(full.statusCode, 409);
    assert.equal(full.json().error.code, 'ERR_CART_FULL');
    const { cart } = (await browser.get('/cart')).json();
    assert.equal(cart.length, MAX_CART_LINES);
    assert.deepEqual(cart[0], { item_id: 'bulk', quantity: 990 });
  });

  it('SF-20 lost updates: 50 concurrent adds of one item on one session give quantity 50', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 'seed' });
    const responses = await Promise.all(Array.from({ length: 50 }, () => browser.post('/cart/add', { item_id: 'apple' })));
    assert.deepEqual(responses.map((r) => r.statusCode), Array(50).fill(200));
    assert.deepEqual((await browser.get('/cart')).json(), {
      cart: [{ item_id: 'seed', quantity: 1 }, { item_id: 'apple', quantity: 50 }],
    });
  });

  it('SF-20 lost updates: 50 concurrent adds of different items leave all 50 lines', async () => {
    const { app } = await createShop();
    const browser = await loggedIn(app, 'olivia');
    await browser.post('/cart/add', { item_id: 'seed' });
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => browser.post('/cart/add', { item_id: `item-${i}` })));
    assert.ok(responses.every((r) => r.statusCode === 200));
    const { cart } = (await browser.get('/cart')).json() as { cart: Array<{ item_id: string }> };
    assert.equal(cart.length, 51);
    assert.deepEqual(new Set(cart.map((line) => line.item_id)), new Set(['seed', ...Array.from({ length: 50 }, (_, i) => `item-${i}`)]));
  });

  it('SF-21 no resurrection: a request that loaded the session before logout cannot bring it back', async () => {
    const slow = slowWriteRoute();
    const { app, store, clock } = await createShop({ routes: slow.routes });
    const browser = await loggedIn(app, 'peggy');
    await browser.post('/cart/add', { item_id: 'apple' });
    const cookie = browser.cookie as string;
    const userId = (await browser.get('/profile')).json().user.id;

    const other = createBrowser(app);
    other.cookie = cookie;
    const pending = other.post('/test/slow-add');
    await slow.started;
    const logout = await browser.post('/logout');
    assert.equal(logout.statusCode, 200);
    slow.release();
    await pending;

    assert.equal(await store.get(ticketId(cookie), clock.now()), null, 'the session stays deleted');
    assert.deepEqual(await store.listByUser(userId, clock.now()), []);
    const replay = createBrowser(app);
    replay.cookie = cookie;
    assert.equal((await replay.get('/profile')).statusCode, 401);
    assert.deepEqual((await replay.get('/cart')).json(), { cart: [] });
  });

  it('SF-22 regenerate race: a slow pre-login request cannot revive the old ticket or overwrite the new session', async () => {
    const slow = slowWriteRoute();
    const { app, store, clock } = await createShop({ routes: slow.routes });
    await createBrowser(app).post('/register', { username: 'quinn', password: 'correct horse battery staple' });
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 'apple' });
    const anonymous = browser.cookie as string;

    const other = createBrowser(app);
    other.cookie = anonymous;
    const pending = other.post('/test/slow-add');
    await slow.started;
    assert.equal((await browser.post('/login', { username: 'quinn', password: 'correct horse battery staple' })).statusCode, 200);
    slow.release();
    await pending;

    assert.equal(await store.get(ticketId(anonymous), clock.now()), null, 'the pre-login ticket was not recreated');
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [{ item_id: 'apple', quantity: 1 }] });
    assert.equal((await browser.get('/profile')).statusCode, 200);
  });
});
