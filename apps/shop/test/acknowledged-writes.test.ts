// SF-28: the shop answers a login, a logout or a cart change only once the store has confirmed
// the write, so the very next request, here or on any instance, sees it. The SQLite store is
// put behind a gate that holds every write until the test opens it; whether a response came
// early is read from the order of events, not from a clock.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sqliteStore } from '@coatcheck/sqlite';
import type { SessionStore } from 'coatcheck/store-kit';
import { createBrowser, createShop, PASSWORD, useTempDir } from './helpers.js';

const path = useTempDir();

/** `inner` with its writes held while the gate is closed; every step is logged in `events`. */
function gatedStore(inner: SessionStore) {
  const events: string[] = [];
  let gate: Promise<void> | null = null;
  let open = () => {};
  const held =
    <A extends unknown[], R>(op: string, run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      events.push(`${op} sent`);
      if (gate !== null) await gate;
      const result = await run(...args);
      events.push(`${op} stored`);
      return result;
    };
  const store: SessionStore = {
    name: inner.name,
    get: (id, now) => inner.get(id, now),
    create: held('create', (record) => inner.create(record)),
    // A login under the shop's cap on devices (MAX_DEVICES) creates through this one.
    createCapped: held('createCapped', (record, cap, now) => {
      if (inner.createCapped === undefined) throw new TypeError(`store "${inner.name}" has no createCapped()`);
      return inner.createCapped(record, cap, now);
    }),
    update: held('update', (next, expected, now) => inner.update(next, expected, now)),
    touch: held('touch', (id, lastSeenAt, expiresAt, now) => inner.touch(id, lastSeenAt, expiresAt, now)),
    delete: held('delete', (id) => inner.delete(id)),
    listByUser: (userId, now) => inner.listByUser(userId, now),
    deleteByUser: held('deleteByUser', (userId, exceptId) => inner.deleteByUser(userId, exceptId)),
    prune: (now) => inner.prune(now),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return {
    store,
    events,
    close() {
      gate = new Promise((resolve) => (open = resolve));
    },
    open() {
      open();
      gate = null;
    },
  };
}

/** Runs `request` with the gate closed: it must still be waiting once its write was sent; then opens the gate. */
async function heldUntilStored<T>(gated: ReturnType<typeof gatedStore>, op: string, request: () => Promise<T>): Promise<T> {
  gated.close();
  let answered = false;
  const pending = request().then((response) => {
    answered = true;
    gated.events.push('answered');
    return response;
  });
  // The login hashes the password first: poll (a hang guard, not a timing assertion).
  const started = Date.now();
  while (!gated.events.includes(`${op} sent`)) {
    if (Date.now() - started > 15_000) throw new Error(`no ${op} was sent`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // Negative check: with the write held, no number of turns lets the answer out.
  for (let turns = 0; turns < 50; turns++) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(answered, false, `answered before the ${op} was stored`);
  gated.open();
  return pending;
}

describe('acknowledged writes', () => {
  it('SF-28 login, a cart change and logout are answered only after the store confirmed them, and the next request sees them', async () => {
    const gated = gatedStore(sqliteStore({ filename: path('sessions.sqlite'), pruneIntervalMs: 0 }));
    after(() => gated.store.close());
    const { app } = await createShop({ app: { store: gated.store } });
    assert.equal((await createBrowser(app).post('/register', { username: 'alice', password: PASSWORD })).statusCode, 201);
    const browser = createBrowser(app);

    const login = await heldUntilStored(gated, 'createCapped', () => browser.post('/login', { username: 'alice', password: PASSWORD }));
    assert.equal(login.statusCode, 200);
    assert.ok(gated.events.indexOf('createCapped stored') < gated.events.indexOf('answered'));
    assert.equal((await browser.get('/profile')).json().user.username, 'alice', 'the next request is logged in');

    gated.events.length = 0;
    const added = await heldUntilStored(gated, 'update', () => browser.post('/cart/add', { item_id: 42 }));
    assert.equal(added.statusCode, 200);
    assert.deepEqual(gated.events.slice(-2), ['update stored', 'answered']);
    assert.deepEqual((await browser.get('/cart')).json().cart, [{ item_id: 42, quantity: 1 }]);

    gated.events.length = 0;
    const copied = browser.cookie as string;
    const logout = await heldUntilStored(gated, 'delete', () => browser.post('/logout'));
    assert.equal(logout.statusCode, 200);
    assert.deepEqual(gated.events.slice(-2), ['delete stored', 'answered']);
    const replay = createBrowser(app);
    replay.cookie = copied;
    assert.equal((await replay.get('/profile')).statusCode, 401, 'the copied cookie is dead by the time the logout is answered');
  });
});
