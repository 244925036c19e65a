import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { addToCart, checkAdd, MAX_CART_LINES, toCart } from '../src/cart/cart.js';
import { ITEMS } from '../src/catalog/items.js';
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
      request.session.update('cart', (cart) => addToCart(cart, 42, 1));
      return { ok: true };
    });
  };
  return { routes, started, release };
}

describe('the cart', () => {
  it('works anonymously: items merge by id, and the cart reads back', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    const first = await browser.post('/cart/add', { item_id: 1 });
    assert.equal(first.statusCode, 200);
    assert.deepEqual(first.json(), { cart: [{ item_id: 1, quantity: 1 }] });
    assert.ok(browser.cookie, 'the first write creates the session');
    await browser.post('/cart/add', { item_id: 2, quantity: 3 });
    const third = await browser.post('/cart/add', { item_id: 1, quantity: 2 });
    const expected = {
      cart: [
        { item_id: 1, quantity: 3 },
        { item_id: 2, quantity: 3 },
      ],
    };
    assert.deepEqual(third.json(), expected);
    assert.deepEqual((await browser.get('/cart')).json(), expected);
  });

  it("takes integer item ids, and a string of digits for one, as FastAPI's item_id: int does", async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    assert.deepEqual((await browser.post('/cart/add', { item_id: 42 })).json(), { cart: [{ item_id: 42, quantity: 1 }] });
    assert.deepEqual((await browser.post('/cart/add', { item_id: '42' })).json(), { cart: [{ item_id: 42, quantity: 2 }] });
    const items = (await app.inject({ url: '/items' })).json().items as Array<{ id: unknown }>;
    assert.ok(items.every((item) => Number.isInteger(item.id)));
    assert.ok(
      items.some((item) => item.id === 42),
      'item 42 is for sale',
    );
  });

  it('refuses an item id that is not in the catalogue with 404 ERR_UNKNOWN_ITEM, and stores nothing', async () => {
    const { app, db } = await createShop();
    const browser = createBrowser(app);
    const first = await browser.post('/cart/add', { item_id: 7 });
    assert.equal(first.statusCode, 404);
    assert.equal(first.json().error.code, 'ERR_UNKNOWN_ITEM');
    assert.equal(browser.cookie, null);
    const { n } = db.prepare('SELECT count(*) AS n FROM coatcheck_sessions').get() as { n: number };
    assert.equal(n, 0, 'no session was created for it');
    await browser.post('/cart/add', { item_id: 1 });
    assert.equal((await browser.post('/cart/add', { item_id: '999999999' })).statusCode, 404);
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [{ item_id: 1, quantity: 1 }] });
  });

  it('AB-01 reading an empty cart creates no session and sets no cookie', async () => {
    const { app, db } = await createShop();
    const res = await app.inject({ method: 'GET', url: '/cart' });
    assert.deepEqual(res.json(), { cart: [] });
    assert.deepEqual(setCookies(res), []);
    const { n } = db.prepare('SELECT count(*) AS n FROM coatcheck_sessions').get() as { n: number };
    assert.equal(n, 0);
  });

  it('refuses adds beyond the per-item limit with 409 ERR_CART_QUANTITY', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    for (let i = 0; i < 10; i++) await browser.post('/cart/add', { item_id: 3, quantity: 99 });
    const over = await browser.post('/cart/add', { item_id: 3, quantity: 10 });
    assert.equal(over.statusCode, 409);
    assert.equal(over.json().error.code, 'ERR_CART_QUANTITY');
    assert.deepEqual((await browser.get('/cart')).json().cart, [{ item_id: 3, quantity: 990 }]);
  });

  // The catalogue has fewer items than a cart may hold lines, so the line limit is checked on
  // the pure functions (a bigger catalogue would reach it through the route).
  it('refuses a line beyond the per-cart limit, and never grows a full cart', () => {
    const full = Array.from({ length: MAX_CART_LINES }, (_, i) => ({ item_id: i + 1, quantity: 1 }));
    assert.equal(checkAdd(full, MAX_CART_LINES + 1, 1), 'full');
    assert.equal(checkAdd(full, 1, 1), null, 'an item already in the cart still fits');
    assert.equal(addToCart(full, MAX_CART_LINES + 1, 1).length, MAX_CART_LINES);
    assert.equal(checkAdd(full.slice(1), 1, 1), null);
  });

  it('drops cart lines stored with the string ids of earlier versions instead of failing', () => {
    const stored = [{ item_id: 'apple', quantity: 2 }, { item_id: 42, quantity: 1 }, { item_id: 1.5, quantity: 1 }, { item_id: -3, quantity: 1 }, null];
    assert.deepEqual(toCart(stored), [{ item_id: 42, quantity: 1 }]);
    assert.deepEqual(addToCart(stored, 1, 2), [
      { item_id: 42, quantity: 1 },
      { item_id: 1, quantity: 2 },
    ]);
  });

  it('SF-20 lost updates: 50 concurrent adds of one item on one session give quantity 50', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 6 });
    const responses = await Promise.all(Array.from({ length: 50 }, () => browser.post('/cart/add', { item_id: 1 })));
    assert.deepEqual(
      responses.map((r) => r.statusCode),
      Array(50).fill(200),
    );
    assert.deepEqual((await browser.get('/cart')).json(), {
      cart: [
        { item_id: 6, quantity: 1 },
        { item_id: 1, quantity: 50 },
      ],
    });
  });

  it('SF-20 lost updates: 50 concurrent adds spread over every item leave every line with its count', async () => {
    const { app } = await createShop();
    const browser = await loggedIn(app, 'olivia');
    const ids = ITEMS.map((item) => item.id);
    const picks = Array.from({ length: 50 }, (_, i) => ids[i % ids.length] as number);
    const responses = await Promise.all(picks.map((id) => browser.post('/cart/add', { item_id: id })));
    assert.ok(responses.every((r) => r.statusCode === 200));
    const { cart } = (await browser.get('/cart')).json() as { cart: Array<{ item_id: number; quantity: number }> };
    const counted = new Map(ids.map((id) => [id, picks.filter((p) => p === id).length]));
    assert.deepEqual(new Map(cart.map((line) => [line.item_id, line.quantity])), counted);
  });

  it('SF-21 no resurrection: a request that loaded the session before logout cannot bring it back', async () => {
    const slow = slowWriteRoute();
    const { app, store, clock } = await createShop({ routes: slow.routes });
    const browser = await loggedIn(app, 'peggy');
    await browser.post('/cart/add', { item_id: 1 });
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
    await browser.post('/cart/add', { item_id: 1 });
    const anonymous = browser.cookie as string;

    const other = createBrowser(app);
    other.cookie = anonymous;
    const pending = other.post('/test/slow-add');
    await slow.started;
    assert.equal((await browser.post('/login', { username: 'quinn', password: 'correct horse battery staple' })).statusCode, 200);
    slow.release();
    await pending;

    assert.equal(await store.get(ticketId(anonymous), clock.now()), null, 'the pre-login ticket was not recreated');
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [{ item_id: 1, quantity: 1 }] });
    assert.equal((await browser.get('/profile')).statusCode, 200);
  });
});
