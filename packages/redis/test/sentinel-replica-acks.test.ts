// RT-11 with a Sentinel client (node-redis createSentinel): waitForReplicas sends confirmed
// writes over a duplicate of the client's current master connection. One master, one replica,
// one sentinel, private ports. The store contract holds, the client's own commands are never
// held up, and a paused replica makes confirmed writes reject with 503 until it resumes.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSessionError } from 'coatcheck';
import { buildRecord, describeStoreConformance } from '@coatcheck/conformance';
import { redisStore } from '@coatcheck/redis';
import { infoField, useRedisServer } from './fixtures/redis-server.js';
import { replicaCaughtUp } from './fixtures/redis-replica.js';
import { eventually, uniquePrefix } from './fixtures/clients.js';
import { connectAnySentinel } from './fixtures/client-kind.js';

const master = await useRedisServer(['--repl-diskless-sync-delay', '0']);
const replica = await useRedisServer(['--replicaof', '127.0.0.1', String(master.port), '--repl-diskless-sync-delay', '0']);
after(() => replica.resume());
const sentinel = await useRedisServer(['--sentinel'], { config: `sentinel monitor mymaster 127.0.0.1 ${master.port} 1\n` });

const caughtUp = (): Promise<void> => replicaCaughtUp(master, replica);
await caughtUp();

// The default pool of one master connection: the store's confirmed writes do not use it.
const client = await connectAnySentinel(sentinel.port);

// Generous where a confirmation is expected: a loaded CI machine must not turn it into a refusal.
const confirmed = { replicas: 1, timeoutMs: 3000 };

describeStoreConformance(
  'redisStore (Sentinel client, waitForReplicas)',
  () => redisStore({ client, prefix: uniquePrefix('sentinel-acks'), checkConfig: false, opTimeoutMs: 5000, waitForReplicas: confirmed }),
  { nativeExpiry: true, numRuns: 20 },
);

describe('waitForReplicas on a Sentinel client', () => {
  it('RT-11 update and delete reject with ERR_SESSION_STORE_UNAVAILABLE while the replica is paused, and succeed after SIGCONT', async () => {
    const store = redisStore({
      client,
      prefix: uniquePrefix('sentinel-paused'),
      opTimeoutMs: 2000,
      checkConfig: false,
      waitForReplicas: { replicas: 1, timeoutMs: 200 },
    });
    after(() => store.close());
    const record = buildRecord({ userId: 'kate' });
    assert.equal(await store.create(record), true);
    await caughtUp();
    const refused = (error: unknown): boolean => {
      assert.ok(isSessionError(error), String(error));
      assert.equal(error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
      assert.match(error.message, /not confirmed/);
      return true;
    };
    replica.pause();
    try {
      const now = Date.now();
      await assert.rejects(store.update({ ...record, version: 2, lastSeenAt: now }, 1, now), refused);
      // A read on the client while a delete waits for its acknowledgement is answered.
      let settled = false;
      const deleting = store.delete(record.id).finally(() => void (settled = true));
      assert.equal(await store.get(buildRecord().id, Date.now()), null);
      assert.equal(settled, false, 'the read did not wait behind the WAIT');
      await assert.rejects(deleting, refused);
      assert.equal(await store.get(record.id, Date.now()), null, 'the master applied the delete: reads see it');
    } finally {
      replica.resume();
    }
    await caughtUp();
    const next = buildRecord({ userId: 'kate' });
    assert.equal(await store.create(next), true);
    const now = Date.now();
    assert.equal(await store.update({ ...next, version: 2, lastSeenAt: now }, 1, now), 'ok');
    assert.equal(await store.delete(next.id), true);
  });

  it('RT-11 after a Sentinel failover, confirmed writes follow the client to the new master', async () => {
    const store = redisStore({ client, prefix: uniquePrefix('sentinel-failover'), opTimeoutMs: 5000, checkConfig: false, waitForReplicas: confirmed });
    after(() => store.close());
    const before = buildRecord({ userId: 'liam' });
    assert.equal(await store.create(before), true);
    assert.equal(await store.delete(before.id), true, 'confirmed on the first master');

    await sentinel.cli('SENTINEL', 'FAILOVER', 'mymaster');
    await eventually('the replica is promoted', async () => (await infoField(replica, 'replication', 'role')) === 'master', 30_000, 100);
    // Once the former master replicates from the new one, it is the replica that confirms.
    await eventually(
      'a revocation is confirmed again, on the new master',
      async () => {
        const record = buildRecord({ userId: 'liam' });
        if ((await store.create(record).catch(() => false)) !== true) return false;
        return (await store.delete(record.id).catch(() => false)) === true;
      },
      60_000,
      200,
    );
    const last = buildRecord({ userId: 'liam' });
    assert.equal(await store.create(last), true);
    assert.equal(await replica.cli('EXISTS', store.keys.session(last.id)), '1', 'written to the new master');
    assert.deepEqual(await store.deleteByUser('liam'), [last.id]);
  });
});
