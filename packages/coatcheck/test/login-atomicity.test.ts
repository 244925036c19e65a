// LC-24: a login (or any rotation) whose store fails midway fails as a whole. The store is a
// real one (memory, SQLite) behind a switch that makes chosen calls fail the way a dropped
// connection does; each step's outcome is read back from the store itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionStoreError } from '../src/index.js';
import type { SessionRecord, SessionStore } from '../src/store-kit/index.js';
import { HTTPS, pair, setup, STORES } from './helpers/manager-setup.js';

type Op = 'get' | 'create' | 'update' | 'touch' | 'delete';

/** `inner`, except that the next `times` calls of an armed method reject like a reset link. */
function withFaults(inner: SessionStore) {
  const armed = new Map<Op, number>();
  const guard =
    <A extends unknown[], R>(op: Op, run: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      const left = armed.get(op) ?? 0;
      if (left === 0) return run(...args);
      armed.set(op, left - 1);
      return Promise.reject(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    };
  const store: SessionStore = {
    name: inner.name,
    get: guard('get', (id, now) => inner.get(id, now)),
    create: guard('create', (record) => inner.create(record)),
    update: guard('update', (next, expected, now) => inner.update(next, expected, now)),
    touch: guard('touch', (id, lastSeenAt, expiresAt, now) => inner.touch(id, lastSeenAt, expiresAt, now)),
    delete: guard('delete', (id) => inner.delete(id)),
    listByUser: (userId, now) => inner.listByUser(userId, now),
    deleteByUser: (userId, exceptId) => inner.deleteByUser(userId, exceptId),
    prune: (now) => inner.prune(now),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return { store, inner, fail: (op: Op, times = 1) => void armed.set(op, times) };
}

for (const [storeName, makeStore] of STORES) {
  describe(`a login the store fails midway (${storeName} store)`, () => {
    /** An anonymous shopper with a cart, and the record the store holds for it. */
    async function shopper() {
      const faults = withFaults(makeStore());
      const env = setup(faults.store);
      const visit = await env.manager.load(HTTPS);
      visit.set('cart', ['towel']);
      const cookie = pair(await visit.commit());
      const before = (await faults.inner.get(visit.id as string, env.now())) as SessionRecord;
      env.take();
      return { ...env, ...faults, cookie, before };
    }

    /** The old ticket still loads its untouched anonymous record; nobody is logged in as alice. */
    async function assertNothingChanged(env: Awaited<ReturnType<typeof shopper>>) {
      assert.deepEqual(await env.inner.get(env.before.id, env.now()), env.before, 'the old record is exactly as it was');
      const again = await env.manager.load({ ...HTTPS, cookie: env.cookie });
      assert.equal(again.status, 'valid');
      assert.equal(again.userId, null, 'the old ticket stays unauthenticated');
      assert.deepEqual(again.get('cart'), ['towel']);
    }

    it('LC-24 the new record cannot be written: the login fails with a store error and changes nothing', async () => {
      const env = await shopper();
      const handle = await env.manager.load({ ...HTTPS, cookie: env.cookie });
      env.fail('create');
      await assert.rejects(handle.login('alice'), SessionStoreError);
      assert.deepEqual(await handle.commit(), [], 'no cookie goes out');
      assert.deepEqual(env.take(), ['get:ok', 'get:ok', 'create:error']);
      await assertNothingChanged(env);
      assert.deepEqual(await env.inner.listByUser('alice', env.now()), []);
    });

    it('LC-24 the old record cannot be deleted: the new one is removed again and the old ticket is left as it was', async () => {
      const env = await shopper();
      const handle = await env.manager.load({ ...HTTPS, cookie: env.cookie });
      env.fail('delete');
      await assert.rejects(handle.login('alice'), SessionStoreError);
      assert.deepEqual(await handle.commit(), []);
      assert.deepEqual(env.take(), ['get:ok', 'get:ok', 'create:ok', 'delete:error', 'delete:ok']);
      await assertNothingChanged(env);
      assert.deepEqual(await env.inner.listByUser('alice', env.now()), [], 'no half-done login is left');

      // Once the store answers again, the same login goes through, and only then is the old ticket dead.
      const retry = await env.manager.load({ ...HTTPS, cookie: env.cookie });
      await retry.login('alice');
      const cookie = pair(await retry.commit());
      assert.equal((await env.manager.load({ ...HTTPS, cookie })).userId, 'alice');
      assert.equal((await env.manager.load({ ...HTTPS, cookie: env.cookie })).status, 'expired');
    });

    it('LC-24 a regenerate of a logged-in session the store fails midway keeps the session on its old ticket', async () => {
      const env = await shopper();
      const first = await env.manager.load({ ...HTTPS, cookie: env.cookie });
      await first.login('alice');
      const cookie = pair(await first.commit());
      const stepUp = await env.manager.load({ ...HTTPS, cookie });
      env.fail('delete');
      await assert.rejects(stepUp.regenerate(), SessionStoreError);
      const sessions = await env.inner.listByUser('alice', env.now());
      assert.deepEqual(
        sessions.map((s) => s.id),
        [first.id],
        'one session, under the ticket the browser holds',
      );
      assert.equal((await env.manager.load({ ...HTTPS, cookie })).userId, 'alice');
    });

    it('LC-24 the store fails for the removal too: the new record, whose ticket never left the server, is reported and expires unused', async () => {
      const env = await shopper();
      const handle = await env.manager.load({ ...HTTPS, cookie: env.cookie });
      env.fail('delete', 2);
      await assert.rejects(handle.login('alice'), SessionStoreError);
      assert.deepEqual(await handle.commit(), [], 'its ticket is not sent');
      await assertNothingChanged(env);
      const [orphan, ...more] = await env.inner.listByUser('alice', env.now());
      assert.ok(orphan && more.length === 0);
      const report = env.errors.find((entry) => /rotation failed/.test(entry.message));
      assert.equal(report?.context?.sessionId, orphan.id, 'the log names the record left behind, by its public id');
      env.advance(30 * 60_000);
      assert.deepEqual(await env.inner.listByUser('alice', env.now()), [], 'gone at its idle timeout');
    });
  });
}
