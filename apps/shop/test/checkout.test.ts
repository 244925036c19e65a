import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createBrowser, createShop, loggedIn, type Browser } from './helpers.js';

const ADDRESS = { name: 'Alice Liddell', street: '1 Rabbit Hole', city: 'Oxford', postcode: 'OX1 1AA', country: 'GB' };
const key = (n = 1) => `attempt-${n}-0123456789abcdef`;

/** Fills the cart and walks the wizard up to the review step. */
async function readyToPlace(browser: Browser): Promise<void> {
  await browser.post('/cart/add', { item_id: 1, quantity: 3 });
  await browser.post('/cart/add', { item_id: 5 });
  assert.equal((await browser.post('/checkout/address', ADDRESS)).statusCode, 200);
  assert.equal((await browser.post('/checkout/payment', { method: 'card' })).statusCode, 200);
}

/**
 * Once armed, holds requests to `urls` in preHandler (after their session was loaded) until
 * `count` of them have arrived, so they all start from the same session version and really
 * race at commit.
 */
function barrier(count: number, urls: readonly string[] = ['/checkout/place']) {
  let armed = false;
  let arrived = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return {
    arm: () => void (armed = true),
    routes(scope: FastifyInstance) {
      scope.addHook('preHandler', async (request) => {
        if (!armed || !urls.includes(request.url)) return;
        if (++arrived === count) open();
        await gate;
      });
    },
  };
}

describe('checkout', () => {
  it('walks address, payment, review; the steps live in the session across requests', async () => {
    const { app } = await createShop();
    const browser = await loggedIn(app, 'alice');
    assert.equal((await browser.get('/checkout')).json().step, 'cart');
    await browser.post('/cart/add', { item_id: 1, quantity: 2 });
    assert.equal((await browser.get('/checkout')).json().step, 'address');
    const address = await browser.post('/checkout/address', ADDRESS);
    assert.deepEqual(address.json(), { step: 'payment', address: ADDRESS });
    const payment = await browser.post('/checkout/payment', { method: 'invoice' });
    assert.deepEqual(payment.json(), { step: 'review', payment: { method: 'invoice' } });
    const review = (await browser.get('/checkout')).json();
    assert.deepEqual(review, {
      step: 'review',
      address: ADDRESS,
      payment: { method: 'invoice' },
      lines: [{ item_id: 1, name: 'Apple', quantity: 2, price_cents: 60 }],
      total_cents: 120,
      unknown: [],
    });
  });

  it('refuses the payment step before the address, and placing before the steps are done', async () => {
    const { app } = await createShop();
    const browser = await loggedIn(app, 'bob');
    const empty = await browser.post('/checkout/place', { idempotency_key: key() });
    assert.equal(empty.statusCode, 409);
    assert.equal(empty.json().error.code, 'ERR_CHECKOUT_INCOMPLETE');
    await browser.post('/cart/add', { item_id: 2 });
    const early = await browser.post('/checkout/payment', { method: 'card' });
    assert.equal(early.statusCode, 409);
    assert.equal(early.json().error.code, 'ERR_CHECKOUT_STEP');
    await browser.post('/checkout/address', ADDRESS);
    const noPayment = await browser.post('/checkout/place', { idempotency_key: key() });
    assert.equal(noPayment.statusCode, 409);
    assert.equal(noPayment.json().error.code, 'ERR_CHECKOUT_INCOMPLETE');
    assert.deepEqual((await browser.get('/orders')).json(), { orders: [] });
  });

  it('the checkout needs a login; anonymous visitors get 401', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 1 });
    for (const [method, url, payload] of [
      ['GET', '/checkout', undefined],
      ['POST', '/checkout/address', ADDRESS],
      ['POST', '/checkout/payment', { method: 'card' }],
      ['POST', '/checkout/place', { idempotency_key: key() }],
      ['GET', '/orders', undefined],
    ] as const) {
      const res = await browser.request({ method, url, ...(payload ? { payload } : {}) });
      assert.equal(res.statusCode, 401, url);
      assert.equal(res.json().error.code, 'ERR_NOT_AUTHENTICATED');
    }
  });

  it('places the order: priced from the catalogue, cart emptied, payment reset, listed in /orders', async () => {
    const { app, clock } = await createShop();
    const browser = await loggedIn(app, 'carol');
    await readyToPlace(browser);
    const res = await browser.post('/checkout/place', { idempotency_key: key() });
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers['idempotent-replayed'], undefined);
    const { order } = res.json();
    assert.deepEqual(order.lines, [
      { item_id: 1, name: 'Apple', quantity: 3, price_cents: 60 },
      { item_id: 5, name: 'Coffee beans', quantity: 1, price_cents: 1290 },
    ]);
    assert.equal(order.total_cents, 3 * 60 + 1290);
    assert.deepEqual(order.address, ADDRESS);
    assert.equal(order.placed_at, clock.now());
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [] });
    const after = (await browser.get('/checkout')).json();
    assert.equal(after.step, 'cart');
    assert.deepEqual(after.address, ADDRESS, 'the address is kept for the next order');
    assert.equal(after.payment, null, 'the payment is asked again');
    assert.deepEqual((await browser.get('/orders')).json(), { orders: [order] });
  });

  it('a repeated submit with the same key returns the first order and places nothing new', async () => {
    const { app } = await createShop();
    const browser = await loggedIn(app, 'dave');
    await readyToPlace(browser);
    const first = await browser.post('/checkout/place', { idempotency_key: key() });
    // Meanwhile the cart filled up again: the repeat still answers the first attempt.
    await browser.post('/cart/add', { item_id: 6 });
    const again = await browser.post('/checkout/place', { idempotency_key: key() });
    assert.equal(again.statusCode, first.statusCode);
    assert.deepEqual(again.json(), first.json());
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal((await browser.get('/orders')).json().orders.length, 1);
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [{ item_id: 6, quantity: 1 }] });
  });

  it('SF-20 ten concurrent submits with one key place exactly one order, and all get it', async () => {
    const race = barrier(10);
    const { app } = await createShop({ routes: race.routes });
    const browser = await loggedIn(app, 'erin');
    await readyToPlace(browser);
    race.arm();
    const responses = await Promise.all(Array.from({ length: 10 }, () => browser.post('/checkout/place', { idempotency_key: key() })));
    assert.deepEqual(
      responses.map((r) => r.statusCode),
      Array(10).fill(201),
    );
    const ids = new Set(responses.map((r) => r.json().order.id));
    assert.equal(ids.size, 1, 'every response names the same order');
    assert.equal(responses.filter((r) => r.headers['idempotent-replayed'] === undefined).length, 1, 'one placed it');
    const { orders } = (await browser.get('/orders')).json();
    assert.equal(orders.length, 1);
    assert.equal(orders[0].id, [...ids][0]);
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [] });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /^shop_orders_placed_total 1$/m);
    assert.match(metrics, /^shop_order_duplicates_total\{kind="concurrent"\} 9$/m);
    assert.match(
      metrics,
      /^coatcheck_store_call_duration_seconds_count\{operation="update",outcome="conflict"\} [1-9]\d*$/m,
      'the duplicates lost the race at the version check',
    );
  });

  it('concurrent submits with different keys are different attempts, so different orders', async () => {
    const race = barrier(2);
    const { app } = await createShop({ routes: race.routes });
    const browser = await loggedIn(app, 'frank');
    await readyToPlace(browser);
    race.arm();
    const [a, b] = await Promise.all([
      browser.post('/checkout/place', { idempotency_key: key(1) }),
      browser.post('/checkout/place', { idempotency_key: key(2) }),
    ]);
    assert.equal(a.statusCode, 201);
    assert.equal(b.statusCode, 201);
    assert.notEqual(a.json().order.id, b.json().order.id);
    assert.equal((await browser.get('/orders')).json().orders.length, 2);
  });

  it('SF-20 an item added while the order is being placed stays in the cart', async () => {
    const race = barrier(2, ['/checkout/place', '/cart/add']);
    const { app } = await createShop({ routes: race.routes });
    const browser = await loggedIn(app, 'ivan');
    await readyToPlace(browser);
    race.arm();
    const [placed, added] = await Promise.all([browser.post('/checkout/place', { idempotency_key: key() }), browser.post('/cart/add', { item_id: 6 })]);
    assert.equal(placed.statusCode, 201);
    assert.equal(added.statusCode, 200);
    assert.deepEqual(
      placed.json().order.lines.map((line: { item_id: number }) => line.item_id),
      [1, 5],
    );
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [{ item_id: 6, quantity: 1 }] });
  });

  it('an order is only placed by its own user, and /orders shows only mine', async () => {
    const { app } = await createShop();
    const grace = await loggedIn(app, 'grace');
    await readyToPlace(grace);
    const placed = await grace.post('/checkout/place', { idempotency_key: key() });
    const heidi = await loggedIn(app, 'heidi');
    assert.deepEqual((await heidi.get('/orders')).json(), { orders: [] });
    // Heidi's session never claimed Grace's key: for her it is a fresh attempt on her own cart.
    const hers = await heidi.post('/checkout/place', { idempotency_key: key() });
    assert.equal(hers.statusCode, 409);
    assert.equal(hers.json().error.code, 'ERR_CHECKOUT_INCOMPLETE');
    assert.equal((await grace.get('/orders')).json().orders[0].id, placed.json().order.id);
  });
});
