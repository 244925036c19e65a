// A failing store call becomes a SessionStoreError exactly once: a raw driver error is
// wrapped (kept as `cause`), a store's own SessionStoreError passes through untouched (same
// object, same message), and the hook reports it as an `error` outcome.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sqliteStore } from '@coatcheck/sqlite';
import { isSessionError, SessionStoreError } from '../src/index.js';
import type { SessionStore } from '../src/store-kit/index.js';
import { memoryStore } from '../src/store/memory-store.js';
import { HTTPS, login, setup } from './helpers/manager-setup.js';

/** A memory store whose methods can be made to throw `failure`. */
function failingStore() {
  const inner = memoryStore({ sweepIntervalMs: 0, quiet: true });
  const failing = new Set<string>();
  let failure: unknown = null;
  const guard =
    <A extends unknown[], R>(name: string, run: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      failing.has(name) ? Promise.reject(failure) : run(...args);
  const store: SessionStore = {
    name: 'flaky',
    get: guard('get', (id, now) => inner.get(id, now)),
    create: guard('create', (record) => inner.create(record)),
    update: guard('update', (next, expected, now) => inner.update(next, expected, now)),
    touch: guard('touch', (id, lastSeenAt, expiresAt, now) => inner.touch(id, lastSeenAt, expiresAt, now)),
    delete: guard('delete', (id) => inner.delete(id)),
    listByUser: guard('listByUser', (userId, now) => inner.listByUser(userId, now)),
    deleteByUser: guard('deleteByUser', (userId, exceptId) => inner.deleteByUser(userId, exceptId)),
    prune: (now) => inner.prune(now),
    ping: guard('ping', () => inner.ping()),
    close: () => inner.close(),
  };
  return {
    store,
    fail(methods: string[], error: unknown) {
      for (const m of methods) failing.add(m);
      failure = error;
    },
  };
}

describe('store errors are wrapped exactly once', () => {
  it('a raw driver error becomes one SessionStoreError with the driver error as cause, on every path', async () => {
    const flaky = failingStore();
    const { manager, calls } = setup(flaky.store);
    const { id, cookie } = await login(manager);
    const handle = await manager.load({ ...HTTPS, cookie });
    const driver = new Error('connect ECONNREFUSED 10.0.0.7:6379');
    flaky.fail(['get', 'update', 'listByUser', 'deleteByUser', 'ping'], driver);
    calls.length = 0;
    handle.set('note', 'x');
    const attempts: [string, () => Promise<unknown>][] = [
      ['get', () => manager.load({ ...HTTPS, cookie })],
      ['get', () => manager.peek(id)],
      ['get', () => manager.loadById(id)],
      ['update', () => handle.commit()],
      ['listByUser', () => manager.listSessions('alice')],
      ['deleteByUser', () => manager.revokeAllSessions('alice')],
      ['ping', () => manager.ping()],
    ];
    for (const [op, attempt] of attempts) {
      const error = await attempt().then(
        () => assert.fail(`${op} should reject`),
        (e: unknown) => e,
      );
      assert.ok(error instanceof SessionStoreError, op);
      assert.equal(error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
      assert.equal(error.store, 'flaky');
      assert.equal(error.cause, driver, `${op}: the driver error is the cause, not another wrapper`);
      const reported = calls.shift();
      assert.equal(reported?.op, op);
      assert.equal(reported?.outcome, 'error');
      assert.equal(reported?.error, error, 'the hook sees the error the caller gets');
    }
  });

  it("a store's own SessionStoreError passes through as it is: same object, message not replaced", async () => {
    const flaky = failingStore();
    const { manager } = setup(flaky.store);
    const { cookie } = await login(manager);
    const own = new SessionStoreError('flaky', 'flaky get timed out after 500 ms (opTimeoutMs)');
    flaky.fail(['get'], own);
    await assert.rejects(manager.load({ ...HTTPS, cookie }), (error) => error === own && own.message === 'flaky get timed out after 500 ms (opTimeoutMs)');
  });

  it('a real SQLite failure (closed database) reaches the caller as the store reported it, wrapped once', async () => {
    const store = sqliteStore({ filename: ':memory:', pruneIntervalMs: 0 });
    const { manager, calls } = setup(store);
    const { cookie } = await login(manager);
    await store.close();
    const direct = await store.get('x', Date.now()).catch((e: unknown) => e);
    calls.length = 0;
    const error = await manager.load({ ...HTTPS, cookie }).then(
      () => assert.fail('should reject'),
      (e: unknown) => e,
    );
    assert.ok(isSessionError(error) && error.code === 'ERR_SESSION_STORE_UNAVAILABLE');
    assert.ok(direct instanceof SessionStoreError);
    assert.equal((error as Error).message, direct.message, 'the store message is kept');
    assert.ok(!((error as Error).cause instanceof SessionStoreError), 'not a wrapper around another store error');
    assert.deepEqual(
      calls.map((c) => `${c.op}:${c.outcome}`),
      ['get:error'],
    );
  });

  it('an error that is not a store failure (data over maxDataBytes) is not turned into a store error', async () => {
    const { manager } = setup(memoryStore({ sweepIntervalMs: 0, quiet: true }), { maxDataBytes: 100 });
    const s = await manager.load(HTTPS);
    s.set('note', 'x'.repeat(200));
    await assert.rejects(s.commit(), { code: 'ERR_SESSION_TOO_LARGE' });
  });
});
