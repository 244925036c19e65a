// LC-21 / AB-08: the per-user lock behind the Redis store's createCapped when its holder is
// gone. A process that died holding `<prefix>cap:<userId>` (taken here by hand) delays that
// user's logins until the key expires, then they go ahead; a lock that outlives the wait bound
// (as long as a lock of the store's lives) fails the login with a store error (503) and writes
// nothing, never a login past the cap. A key without expiry there is no lock and is replaced.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager, SessionStoreError, type SessionManager } from 'coatcheck';
import { randomUserId } from '@coatcheck/conformance';
import { redisStore } from '@coatcheck/redis';
import { REDIS_URL, connectClient, uniquePrefix } from './fixtures/clients.js';
import { connectAny } from './fixtures/client-kind.js';

const SECRET = 'coatcheck-cap-lock-test-secret-0b7e3c9a2f5d4e18';
const prefix = uniquePrefix('caplock');
// The test's own commands (the dead holder) on node-redis; the store on the kind under test.
const raw = await connectClient(REDIS_URL, { cleanupPrefix: prefix });
const corrupt: string[] = [];
// Default opTimeoutMs (1000 ms): the store's lock lives, and a login waits for one, 5000 ms.
const store = redisStore({ client: await connectAny(REDIS_URL), prefix, checkConfig: false, onCorrupt: (key) => corrupt.push(key) });
const manager: SessionManager = createSessionManager({ store, secrets: [SECRET], production: false, maxSessionsPerUser: { max: 2, policy: 'reject' } });

async function login(userId: string): Promise<string> {
  const session = await manager.loadById(null);
  await session.login(userId);
  await session.commit();
  return session.id ?? '';
}

describe('the session-cap lock of a dead holder (Redis)', () => {
  it('LC-21 AB-08 a lock left behind delays the login until it expires; then the login succeeds and releases its own', async () => {
    const userId = randomUserId();
    const key = store.keys.capLock(userId);
    // Shorter-lived than the store's wait bound (5000 ms), as a lock of a dead holder is.
    assert.equal(await raw.set(key, 'dead-holder', { PX: 1000 }), 'OK');
    const id = await login(userId);
    assert.deepStrictEqual(
      (await manager.listSessions(userId)).map((session) => session.id),
      [id],
    );
    assert.equal(await raw.exists(key), 0, 'the login released its lock');
  });

  it('LC-21 AB-08 a lock that outlives the wait bound fails the login with a store error and writes nothing', async () => {
    const userId = randomUserId();
    const key = store.keys.capLock(userId);
    assert.equal(await raw.set(key, 'dead-holder', { PX: 60_000 }), 'OK');
    const session = await manager.loadById(null);
    await assert.rejects(session.login(userId), (error: unknown) => {
      assert.ok(error instanceof SessionStoreError, String(error));
      assert.equal(error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
      return true;
    });
    assert.equal(session.userId, null, 'the handle is still anonymous');
    assert.deepStrictEqual(await manager.listSessions(userId), []);
    assert.equal(await raw.get(key), 'dead-holder', 'a lock that is not its own is never released');
    // Once the lock is gone (here: by hand), the user logs in again.
    await raw.del(key);
    await login(userId);
    assert.equal((await manager.listSessions(userId)).length, 1);
  });

  it('SF-23 a key without expiry at the lock is no lock of the store: it is replaced, reported, and the login goes ahead', async () => {
    const userId = randomUserId();
    const key = store.keys.capLock(userId);
    await raw.set(key, 'written by hand');
    await login(userId);
    assert.equal((await manager.listSessions(userId)).length, 1);
    assert.deepStrictEqual(corrupt, [key]);
    assert.equal(await raw.exists(key), 0);
  });
});
