// A handler that forgets `await` on login/logout/regenerate/destroy: the commit waits for the
// call, so the outcome is the awaited one, and the manager's logger names the mistake.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager, SessionStoreError, type Logger, type Session } from 'coatcheck';
import type { SessionStore } from 'coatcheck/store-kit';
import { memoryStore } from 'coatcheck/memory';
import { commitCookies, isPending } from 'coatcheck/adapter';

const SECRET = 'not-awaited-test-secret-8c1e5a9f3b7d2c6e0a4f';
const METHODS = ['get', 'create', 'update', 'touch', 'delete', 'listByUser', 'deleteByUser', 'prune', 'ping', 'close'] as const;

/**
 * The memory store, answering each call on a later turn of the event loop as a network
 * store does, so a call nobody awaits is still running when the commit starts. `failCreate`
 * makes `create` fail as an unreachable store would.
 */
function slowStore(inner: SessionStore): SessionStore & { failCreate: boolean } {
  const store = { name: inner.name, failCreate: false } as SessionStore & { failCreate: boolean };
  for (const key of METHODS) {
    (store as unknown as Record<string, unknown>)[key] = async (...args: unknown[]) => {
      await new Promise((resolve) => setImmediate(resolve));
      if (key === 'create' && store.failCreate) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return (inner[key] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return store;
}

interface Logged {
  message: string;
  context: Record<string, unknown> | undefined;
}

async function setup() {
  const logged: Logged[] = [];
  const logger: Logger = { warn() {}, error: (message, context) => void logged.push({ message, context }) };
  const store = slowStore(memoryStore({ sweepIntervalMs: 0, quiet: true }));
  const manager = createSessionManager({ store, secrets: [SECRET], production: false, logger });
  const load = (cookie?: string) => manager.load({ secure: true, cookie });
  /** An anonymous session holding a cart, and its cookie. */
  async function withCart(): Promise<{ session: Session; cookie: string }> {
    const first = await load();
    first.set('cart', ['apple']);
    const [cookie] = await first.commit();
    const pair = (cookie as string).split(';')[0] as string;
    return { session: await load(pair), cookie: pair };
  }
  return { manager, store, logged, load, withCart };
}

function assertReported(logged: Logged[], method: string): void {
  const reports = logged.filter((entry) => entry.context?.code === 'ERR_SESSION_NOT_AWAITED');
  assert.equal(reports.length, 1, JSON.stringify(logged.map((entry) => entry.message)));
  const [report] = reports as [Logged];
  assert.equal(report.context?.method, method);
  assert.ok(report.message.includes(`session.${method}() was not awaited`), report.message);
  assert.ok(report.message.includes(`await session.${method}(`), report.message);
  // The stack points at the call that lacked `await`: this file.
  assert.match(String((report.context?.error as Error | undefined)?.stack), /not-awaited\.test\.ts/);
}

describe('a lifecycle call without await', () => {
  it('login: the commit carries the new cookie, the cart moves to the new ticket, one session, logged', async () => {
    const { manager, logged, load, withCart } = await setup();
    const { session, cookie } = await withCart();
    void session.login('alice');
    assert.equal(isPending(session), true);
    const [issued] = await session.commit();
    const fresh = (issued as string).split(';')[0] as string;
    assert.notEqual(fresh, cookie);
    const after = await load(fresh);
    assert.deepEqual([after.status, after.userId, after.get('cart')], ['valid', 'alice', ['apple']]);
    assert.equal((await load(cookie)).status, 'expired');
    assert.equal((await manager.listSessions('alice')).length, 1);
    assertReported(logged, 'login');
  });

  it('logout: the cookie is cleared and the record is gone', async () => {
    const { manager, logged, load } = await setup();
    const first = await load();
    await first.login('bob');
    const pair = ((await first.commit())[0] as string).split(';')[0] as string;
    assert.deepEqual(logged, []);
    const session = await load(pair);
    void session.logout();
    const [cleared] = await session.commit();
    assert.match(cleared as string, /^__Host-sid=;.*Max-Age=0/);
    assert.equal((await load(pair)).status, 'expired');
    assert.deepEqual(await manager.listSessions('bob'), []);
    assertReported(logged, 'logout');
  });

  it('regenerate and destroy are waited for and reported too', async () => {
    for (const method of ['regenerate', 'destroy'] as const) {
      const { logged, load, withCart } = await setup();
      const { session, cookie } = await withCart();
      void session[method]();
      const [set] = await session.commit();
      assert.equal((await load(cookie)).status, 'expired');
      if (method === 'regenerate') assert.deepEqual((await load((set as string).split(';')[0])).get('cart'), ['apple']);
      else assert.match(set as string, /Max-Age=0/);
      assertReported(logged, method);
    }
  });

  it('changes made while the call runs are kept, in order, on the new session', async () => {
    const { logged, load, withCart } = await setup();
    const { session } = await withCart();
    void session.login('alice');
    session.update('cart', (cart) => [...((cart as string[] | undefined) ?? []), 'pear']);
    session.set('flash', 'welcome');
    const [issued] = await session.commit();
    const after = await load((issued as string).split(';')[0]);
    assert.deepEqual([after.userId, after.get('cart'), after.get('flash')], ['alice', ['apple', 'pear'], 'welcome']);
    assertReported(logged, 'login');
  });

  it('a second lifecycle call waits for the first, as if both were awaited', async () => {
    const { manager, load, withCart } = await setup();
    const { session } = await withCart();
    void session.login('alice');
    void session.regenerate();
    const [issued] = await session.commit();
    const after = await load((issued as string).split(';')[0]);
    assert.deepEqual([after.status, after.userId, after.get('cart')], ['valid', 'alice', ['apple']]);
    assert.equal((await manager.listSessions('alice')).length, 1);
  });

  it('a call that finished before the commit, but that nothing awaited, is reported all the same', async () => {
    const { logged, withCart } = await setup();
    const { session } = await withCart();
    void session.login('alice');
    while (session.userId === null) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await session.commit()).length, 1);
    assertReported(logged, 'login');
  });

  it('a failed call nobody awaited fails the commit with its error (no unhandled rejection), the old ticket intact', async () => {
    const { store, logged, load, withCart } = await setup();
    const { session, cookie } = await withCart();
    store.failCreate = true;
    void session.login('alice');
    await assert.rejects(session.commit(), SessionStoreError);
    store.failCreate = false;
    assert.deepEqual((await load(cookie)).get('cart'), ['apple']);
    assertReported(logged, 'login');
  });

  it('commitCookies() cannot wait: it commits nothing while the call runs, and reports it', async () => {
    const { logged, withCart } = await setup();
    const { session } = await withCart();
    void session.login('alice');
    assert.equal(commitCookies(session), null);
    assertReported(logged, 'login');
  });

  it('awaited calls, then()-chained calls and Promise.all are not reported', async () => {
    const { logged, load, withCart } = await setup();
    const { session } = await withCart();
    await session.login('alice');
    await session.regenerate().then(() => undefined);
    await Promise.all([session.regenerate()]);
    await session.commit();
    const failed = await load();
    await assert.rejects(failed.login(''), TypeError);
    assert.deepEqual(logged, []);
  });
});
