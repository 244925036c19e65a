// RT-11, JW-17 with waitForReplicas on a standalone master with one replica: the store
// contract holds with every change and revocation confirmed by the replica; while the replica
// is paused (SIGSTOP) rotations and revocations are refused with 503 instead of being reported
// done, reads and touches go on, and after SIGCONT everything succeeds again.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSessionError } from 'coatcheck';
import { capProgressOf } from 'coatcheck/store-kit';
import { buildRecord, describeStoreConformance, randomUserId } from '@coatcheck/conformance';
import { redisStore } from '@coatcheck/redis';
import { useReplicatedPair } from './fixtures/redis-replica.js';
import { eventually, uniquePrefix } from './fixtures/clients.js';
import { connectAny } from './fixtures/client-kind.js';
import { accepts, bearerInstance, loginWithTokens } from './fixtures/bearer.js';

const pair = await useReplicatedPair();
after(() => pair.replica.resume());
const client = await connectAny(pair.master.url);

describeStoreConformance(
  'redisStore (waitForReplicas, one replica)',
  () =>
    redisStore({ client, prefix: uniquePrefix('acks-conformance'), checkConfig: false, opTimeoutMs: 5000, waitForReplicas: { replicas: 1, timeoutMs: 3000 } }),
  { nativeExpiry: true },
);

// The store's error saying the replicas did not confirm (not a timeout of the call); through
// the manager it is the cause of the manager's own 503 error.
function notConfirmed(error: unknown): boolean {
  assert.ok(isSessionError(error), `expected a coatcheck error, got ${String(error)}`);
  assert.equal(error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
  assert.equal(error.statusCode, 503);
  const store = isSessionError(error.cause) ? error.cause : error;
  assert.match(store.message, /not confirmed: 0 of 1 replicas acknowledged/);
  return true;
}

describe('replica paused (SIGSTOP)', () => {
  const prefix = uniquePrefix('acks-paused');
  const settings = { prefix, waitForReplicas: { replicas: 1, timeoutMs: 200 }, opTimeoutMs: 2000, graceSeconds: 60 };

  it('RT-11 a rotation, a revocation, update, delete and deleteByUser reject with ERR_SESSION_STORE_UNAVAILABLE while the replica is paused, and succeed again after SIGCONT', async () => {
    const app = await bearerInstance(client, settings);
    const frank = await loginWithTokens(app, 'frank');
    const gina = await loginWithTokens(app, 'gina');
    const changed = buildRecord({ userId: 'hank' });
    const deleted = buildRecord({ userId: 'hank' });
    for (const record of [changed, deleted]) assert.equal(await app.store.create(record), true);
    await pair.caughtUp();

    pair.replica.pause();
    try {
      await assert.rejects(app.tokens.refresh(frank.refresh_token), notConfirmed, 'the rotation hands out no tokens');
      await assert.rejects(app.tokens.refresh(frank.refresh_token), notConfirmed, 'nor does a retry within the grace window');
      await assert.rejects(app.tokens.revoke(gina.refresh_token), notConfirmed, 'the revocation is not reported done');
      const now = Date.now();
      await assert.rejects(app.store.update({ ...changed, version: 2, data: { step: 1 } }, 1, now), notConfirmed);
      await assert.rejects(app.store.delete(deleted.id), notConfirmed);
      await assert.rejects(app.store.deleteByUser('hank'), notConfirmed);
      // Not confirmed by design: a create or a touch lost to a failover ends a session sooner.
      const fresh = buildRecord();
      assert.equal(await app.store.create(fresh), true);
      assert.equal(await app.store.touch(fresh.id, now, now + 60_000, now), true);
    } finally {
      pair.replica.resume();
    }
    await pair.caughtUp();

    // The rotation was applied on the master: the retry gets its successor, now confirmed.
    const rotated = await app.tokens.refresh(frank.refresh_token);
    assert.ok(rotated.ok, 'the rotation is answered once the replica acknowledges it');
    const next = await app.tokens.refresh(rotated.tokens.refresh_token);
    assert.ok(next.ok, 'and the next one too');
    assert.equal(await accepts(app, next.tokens.access_token), true);

    const ivy = await loginWithTokens(app, 'ivy');
    assert.equal(await app.tokens.revoke(ivy.refresh_token), true);
    assert.equal(await accepts(app, ivy.access_token), false);
    const record = buildRecord({ userId: 'jack' });
    assert.equal(await app.store.create(record), true);
    const now = Date.now();
    assert.equal(await app.store.update({ ...record, version: 2, lastSeenAt: now }, 1, now), 'ok');
    assert.equal(await app.store.delete(record.id), true);
    const others = [buildRecord({ userId: 'jack' }), buildRecord({ userId: 'jack' })];
    for (const other of others) assert.equal(await app.store.create(other), true);
    assert.deepEqual((await app.store.deleteByUser('jack')).sort(), others.map((r) => r.id).sort());
  });

  it('JW-17 a revocation that finds the session already deleted by another instance still waits for the replica', async () => {
    // Two app instances: each store has its own confirmed connection.
    const [a, b] = [0, 1].map(() => {
      const store = redisStore({ client, prefix, opTimeoutMs: 2000, checkConfig: false, waitForReplicas: { replicas: 1, timeoutMs: 200 } });
      after(() => store.close());
      return store;
    }) as [ReturnType<typeof redisStore>, ReturnType<typeof redisStore>];
    const record = buildRecord({ userId: 'lena' });
    assert.equal(await a.create(record), true);
    // Both connections are open and have confirmed a call before the pause.
    for (const store of [a, b]) assert.equal(await store.delete(buildRecord().id), false);
    await pair.caughtUp();

    pair.replica.pause();
    try {
      await assert.rejects(a.delete(record.id), notConfirmed, 'the first revocation is not confirmed');
      // The master has deleted it; the replica has not. "Nothing to delete" is not done either.
      await assert.rejects(b.delete(record.id), notConfirmed, 'the retry on the other instance is not confirmed either');
      await assert.rejects(b.deleteByUser('lena'), notConfirmed);
    } finally {
      pair.replica.resume();
    }
    await pair.caughtUp();
    assert.equal(await b.delete(record.id), false, 'confirmed once the replica has the deletion');
  });

  it('LC-21 a capped create that evicted sessions is confirmed like a delete; one that evicted nothing is not held up', async () => {
    const store = redisStore({ client, prefix, opTimeoutMs: 2000, checkConfig: false, waitForReplicas: { replicas: 1, timeoutMs: 200 } });
    after(() => store.close());
    const userId = randomUserId();
    const old = buildRecord({ userId });
    assert.equal(await store.create(old), true);
    assert.equal(await store.delete(buildRecord().id), false, 'the confirmed connection is open');
    await pair.caughtUp();

    pair.replica.pause();
    const now = Date.now();
    const roomy = buildRecord({ userId });
    const evicting = buildRecord({ userId });
    try {
      assert.deepStrictEqual(await store.createCapped?.(roomy, { max: 2, evict: 'oldest', replaces: null }, now), { outcome: 'created', evicted: [] });
      // The failure says what the master applied, so the manager announces the eviction and
      // deletes the record whose ticket it never sends.
      await assert.rejects(Promise.resolve(store.createCapped?.(evicting, { max: 2, evict: 'oldest', replaces: null }, now)), (error: unknown) => {
        assert.ok(notConfirmed(error));
        const progress = capProgressOf(error);
        assert.deepStrictEqual([progress?.evicted.map((session) => session.id), progress?.created], [[old.id], true]);
        return true;
      });
    } finally {
      pair.replica.resume();
    }
    await pair.caughtUp();
    // The master applied it: the oldest is gone, the new one is there.
    assert.deepStrictEqual((await store.listByUser(userId, Date.now())).map((r) => r.id).sort(), [roomy.id, evicting.id].sort());
  });

  it('RT-11 reads are not held up while a confirmed write waits for the replica (WAIT runs on a connection of its own)', async () => {
    const store = redisStore({ client, prefix, opTimeoutMs: 5000, checkConfig: false, waitForReplicas: { replicas: 1, timeoutMs: 4000 } });
    after(() => store.close());
    const waiting = buildRecord();
    const other = buildRecord();
    for (const record of [waiting, other]) assert.equal(await store.create(record), true);
    await pair.caughtUp();

    pair.replica.pause();
    let settled = false;
    const deleting = store.delete(waiting.id).finally(() => void (settled = true));
    try {
      await eventually('the delete waits in WAIT', async () => (await pair.blockedClients()) >= 1);
      assert.equal((await store.get(other.id, Date.now()))?.id, other.id, 'a read is answered meanwhile');
      assert.equal(settled, false, 'while the delete still waits for its acknowledgement');
    } finally {
      pair.replica.resume();
    }
    assert.equal(await deleting, true, 'confirmed once the replica resumed');
  });
});
