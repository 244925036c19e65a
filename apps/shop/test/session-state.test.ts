// Who is logged in is decided in one place: the session's user id, which only a completed
// login sets and which lives outside the session data. No half-finished flow (LC-22) and no
// field a client adds to a JSON body (LC-27) can set it, or any other field the shop relies on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionRecord } from 'coatcheck/store-kit';
import { createBrowser, createShop, loggedIn, PASSWORD, ticketId, type Browser, type Shop } from './helpers.js';

/** What the store holds for a browser's session. */
async function recordOf(shop: Shop, browser: Browser): Promise<SessionRecord> {
  const record = await shop.store.get(ticketId(browser.cookie ?? ''), shop.clock.now());
  assert.ok(record, 'the browser has a live session');
  return record;
}

/** Statuses of the routes that need a logged-in user. */
async function protectedStatuses(browser: Browser): Promise<number[]> {
  const answers = await Promise.all(['/profile', '/sessions', '/checkout', '/protected'].map((url) => browser.get(url)));
  return answers.map((res) => res.statusCode);
}

/** The keys a client might add to become someone, or to look fresher or older than it is. */
const RESERVED = {
  userId: 'alice-id',
  user: { id: 'alice-id', username: 'alice' },
  authenticated: true,
  authenticatedAt: 4102444800000,
  createdAt: 0,
  expiresAt: 4102444800000,
  persistent: true,
  role: 'admin',
  isAdmin: true,
  authMethod: 'password',
  sid: 'A'.repeat(24),
  id: 'A'.repeat(24),
  '$coatcheck.refresh': { v: 1 },
  '$coatcheck.auth': { amr: [{ method: 'hwk', at: 4102444800000 }] },
  viewAs: { userId: 'alice-id', startedAt: 0 },
};

describe('half-open sessions', () => {
  it('LC-22 registering, a failed login, or session data naming a user never makes a request authenticated', async () => {
    const shop = await createShop({
      // A flow that stashes who the visitor says they are, as a password-reset or MFA step would.
      routes: (scope) =>
        scope.post('/test/pending', async (request) => {
          for (const [key, value] of Object.entries(RESERVED)) request.session.set(key as never, value as never);
          return { ok: true };
        }),
    });
    await loggedIn(shop.app, 'alice');

    const newcomer = createBrowser(shop.app);
    assert.equal((await newcomer.post('/register', { username: 'newcomer', password: PASSWORD })).statusCode, 201);
    assert.equal(newcomer.cookie, null, 'registering does not log in, and starts no session');
    assert.deepEqual(await protectedStatuses(newcomer), [401, 401, 401, 401]);

    const shopper = createBrowser(shop.app);
    await shopper.post('/cart/add', { item_id: 1 });
    const anonymous = shopper.cookie;
    const failed = await shopper.post('/login', { username: 'alice', password: 'not the password' });
    assert.equal(failed.statusCode, 401);
    assert.equal(shopper.cookie, anonymous, 'a failed login leaves the anonymous ticket as it was');
    assert.equal((await recordOf(shop, shopper)).userId, null);

    assert.equal((await shopper.post('/test/pending')).statusCode, 200);
    const pending = await recordOf(shop, shopper);
    assert.equal(pending.data.userId, 'alice-id', 'the data holds what the flow wrote');
    assert.equal(pending.userId, null, 'and the session is still nobody’s');
    assert.equal(pending.authenticatedAt, null);
    assert.deepEqual(await protectedStatuses(shopper), [401, 401, 401, 401]);
    assert.deepEqual((await shopper.get('/account')).json(), { user: null });
    assert.equal((await shopper.post('/password', { new_password: 'another long passphrase' })).statusCode, 401);
    assert.equal((await shopper.get('/orders')).statusCode, 401);

    // Only the completed login makes it alice's, under a new ticket.
    assert.equal((await shopper.post('/login', { username: 'alice', password: PASSWORD })).statusCode, 200);
    assert.deepEqual(await protectedStatuses(shopper), [200, 200, 200, 200]);
  });
});

describe('mass assignment', () => {
  it('LC-27 reserved fields added to every JSON body that reaches the session are dropped: user, freshness, lifetimes, roles and the data stay as the server set them', async () => {
    const shop = await createShop();
    await loggedIn(shop.app, 'admin-first');
    const bob = await loggedIn(shop.app, 'bob');
    const before = await recordOf(shop, bob);
    shop.clock.advance(60_000);

    // (A `__proto__` key makes the whole body a 400 ERR_BAD_JSON: BI-11.)
    const extra = RESERVED;
    const posts: Array<[string, Record<string, unknown>, number]> = [
      ['/cart/add', { item_id: 1, quantity: 2, cart: [{ item_id: 999, quantity: 99 }], ...extra }, 200],
      ['/checkout/address', { name: 'Bob', street: '1 Main St', city: 'Springfield', postcode: '12345', country: 'US', ...extra }, 200],
      ['/checkout/payment', { method: 'card', amount_cents: 0, total_cents: 0, ...extra }, 200],
      ['/reauth', { password: PASSWORD, ...extra }, 200],
    ];
    for (const [url, body, status] of posts) {
      const res = await bob.request({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      assert.equal(res.statusCode, status, `${url}: ${res.body}`);
    }
    const after = await recordOf(shop, bob);
    assert.equal(after.userId, before.userId);
    // The re-authentication is a step-up of bob: a new ticket, the session's own lifetime, the
    // factor with the time the server chose.
    assert.equal(after.createdAt, before.createdAt);
    assert.deepEqual(after.data['$coatcheck.auth'], { amr: [{ method: 'pwd', at: shop.clock.now() }] });
    assert.equal(after.authenticatedAt, shop.clock.now(), 'fresh from the real re-authentication, not from the body');
    assert.equal(after.absoluteExpiresAt - after.createdAt, before.absoluteExpiresAt - before.createdAt, 'the configured lifetime');
    assert.ok(after.expiresAt <= after.absoluteExpiresAt);
    assert.equal(after.persistent, false);
    assert.deepEqual(Object.keys(after.data).sort(), ['$coatcheck.auth', 'cart', 'checkout']);
    assert.deepEqual(after.data.cart, [{ item_id: 1, quantity: 2 }]);
    assert.deepEqual(after.data.checkout, {
      address: { name: 'Bob', street: '1 Main St', city: 'Springfield', postcode: '12345', country: 'US' },
      payment: { method: 'card' },
    });
    assert.equal((await bob.get('/account')).json().role, 'user');
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined, 'nothing polluted');

    // Logging in or registering with extra fields: the credentials decide, nothing else.
    const mallory = createBrowser(shop.app);
    const registered = await mallory.post('/register', { username: 'mallory', password: PASSWORD, ...extra });
    assert.equal(registered.statusCode, 201);
    assert.deepEqual(Object.keys(registered.json()).sort(), ['id', 'username']);
    assert.notEqual(registered.json().id, 'A'.repeat(24));
    const login = await mallory.post('/login', { username: 'mallory', password: PASSWORD, ...extra });
    assert.equal(login.statusCode, 200);
    const session = await recordOf(shop, mallory);
    assert.equal(session.userId, registered.json().id);
    assert.equal(session.persistent, false, 'remember-me only from its own field');
    assert.deepEqual(session.data, { '$coatcheck.auth': { amr: [{ method: 'pwd', at: shop.clock.now() }] } }, 'only the factor the server recorded');
    assert.equal((await mallory.get('/account')).json().role, 'user');
  });
});
