// SF-11 / SF-01 on a changing Cluster: a session stays readable and writable while its slot
// migrates to another master (ASK, then MOVED) and after a manual failover; the bus keeps
// delivering over sharded pub/sub. Cluster: 3 masters + 3 replicas on loopback ports.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BusMessage } from 'coatcheck/bus';
import { MINUTE, buildRecord, nextVersion, randomUserId } from '@coatcheck/conformance';
import { redisBus, redisStore, type RedisStore } from '@coatcheck/redis';
import { useRedisCluster, type ClusterHarness } from './fixtures/redis-cluster.js';
import { eventually, uniquePrefix } from './fixtures/clients.js';
import { CLIENT_KIND, connectAnyCluster } from './fixtures/client-kind.js';
import { infoField, type RedisProcess } from './fixtures/redis-server.js';

const cluster = await useRedisCluster();
const urls = cluster.nodes.map((node) => node.url);
const client = await connectAnyCluster(urls);
const prefix = uniquePrefix('topology');

// The replica serving `master`, once it is linked (a node demoted by an earlier failover
// takes a moment to resync before it can be promoted again).
async function replicaOf(harness: ClusterHarness, master: RedisProcess): Promise<RedisProcess> {
  const id = await harness.id(master);
  let replica: RedisProcess | undefined;
  await eventually(
    'a linked replica of the master',
    async () => {
      const line = (await master.cli('CLUSTER', 'REPLICAS', id)).split('\n')[0] ?? '';
      const port = Number(/:(\d+)@/.exec(line)?.[1]);
      if (!Number.isInteger(port)) return false;
      replica = harness.node(port);
      return (await infoField(replica, 'replication', 'master_link_status')) === 'up';
    },
    30_000,
    100,
  );
  return replica as RedisProcess;
}

async function failOver(master: RedisProcess): Promise<RedisProcess> {
  const replica = await replicaOf(cluster, master);
  // Without FORCE the replica first catches up with its master, so no acknowledged write is lost.
  // A manual failover gives up silently after 5 s (CLUSTER_MF_TIMEOUT) when the votes do not
  // arrive in time, as happens on a loaded machine: ask again rather than wait forever.
  const promoted = async (): Promise<boolean> => (await infoField(replica, 'replication', 'role')) === 'master';
  for (let attempt = 1; ; attempt++) {
    assert.equal(await replica.cli('CLUSTER', 'FAILOVER'), 'OK');
    try {
      await eventually('the replica is promoted', promoted, 10_000);
      break;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
  await cluster.waitHealthy();
  return replica;
}

async function assertReadWrite(store: RedisStore, userId: string, now: number): Promise<void> {
  const fresh = buildRecord({ now, userId, data: { after: true } });
  assert.equal(await store.create(fresh), true);
  assert.deepStrictEqual(await store.get(fresh.id, now), fresh);
  assert.equal(await store.touch(fresh.id, now + MINUTE, now + 31 * MINUTE, now + MINUTE), true);
}

describe('Cluster topology changes', () => {
  it('SF-01 a session stays readable and writable while its slot migrates (ASK) and after it moved (MOVED)', async () => {
    const store = redisStore({ client, prefix, checkConfig: false });
    const now = Date.now();
    const userId = randomUserId();
    const record = buildRecord({ now, userId, data: { cart: ['a'] } });
    assert.equal(await store.create(record), true);
    const key = store.keys.session(record.id);
    const slot = await cluster.nodes[0]!.cli('CLUSTER', 'KEYSLOT', key);
    const source = await cluster.masterOf(key);
    const target = (await cluster.masters()).find((node) => node !== source);
    assert.ok(target);
    const [sourceId, targetId] = [await cluster.id(source), await cluster.id(target)];

    assert.equal(await target.cli('CLUSTER', 'SETSLOT', slot, 'IMPORTING', sourceId), 'OK');
    assert.equal(await source.cli('CLUSTER', 'SETSLOT', slot, 'MIGRATING', targetId), 'OK');
    assert.equal(await source.cli('MIGRATE', '127.0.0.1', String(target.port), key, '0', '5000'), 'OK');
    // The key now lives on the target while the slot still belongs to the source: ASK.
    assert.equal(await source.cli('CLUSTER', 'COUNTKEYSINSLOT', slot), '0');
    assert.equal(await target.cli('CLUSTER', 'COUNTKEYSINSLOT', slot), '1');
    assert.deepStrictEqual(await store.get(record.id, now), record);
    const v2 = nextVersion(record, { data: { cart: ['a', 'b'] } });
    assert.equal(await store.update(v2, 1, now), 'ok');

    for (const node of [target, source, ...(await cluster.masters())]) {
      assert.equal(await node.cli('CLUSTER', 'SETSLOT', slot, 'NODE', targetId), 'OK');
    }
    await cluster.waitHealthy();
    // The old owner now answers MOVED; the client learns the new map and follows it.
    assert.deepStrictEqual(await store.get(record.id, now), v2);
    assert.equal(await store.update(nextVersion(v2, { data: { cart: [] } }), 2, now), 'ok');
    assert.equal(await store.touch(record.id, now + MINUTE, now + 31 * MINUTE, now + MINUTE), true);
    assert.deepStrictEqual(
      (await store.listByUser(userId, now + MINUTE)).map((r) => r.id),
      [record.id],
    );
    assert.deepStrictEqual(await store.deleteByUser(userId), [record.id]);
    assert.equal(await store.get(record.id, now), null);
  });

  it('SF-11 sessions stay readable and writable after a manual failover (CLUSTER FAILOVER on a replica)', async () => {
    const store = redisStore({ client, prefix, checkConfig: false });
    const now = Date.now();
    const userId = randomUserId();
    const record = buildRecord({ now, userId, data: { cart: ['kept'] } });
    assert.equal(await store.create(record), true);
    const oldMaster = await cluster.masterOf(store.keys.session(record.id));
    const newMaster = await failOver(oldMaster);
    assert.equal(await infoField(oldMaster, 'replication', 'role'), 'slave');
    assert.equal(await cluster.masterOf(store.keys.session(record.id)), newMaster);

    assert.deepStrictEqual(await store.get(record.id, now), record);
    const v2 = nextVersion(record, { data: { cart: ['kept', 'new'] } });
    assert.equal(await store.update(v2, 1, now), 'ok');
    assert.deepStrictEqual(await store.get(record.id, now), v2);
    await assertReadWrite(store, userId, now);
    assert.equal((await store.listByUser(userId, now)).length, 2);
    assert.equal((await store.deleteByUser(userId)).length, 2);
  });

  it('SF-29 two redisBus instances on the Cluster see each other’s messages over sharded pub/sub (classic on an iovalkey Cluster, which has no sharded subscriber), also after the channel’s shard fails over', async () => {
    const other = await connectAnyCluster(urls);
    const a = redisBus({ client, prefix, probeIntervalMs: 100, heartbeatIntervalMs: 500, resubscribeAfterMs: 2000 });
    const b = redisBus({ client: other, prefix, probeIntervalMs: 100, heartbeatIntervalMs: 500, resubscribeAfterMs: 2000 });
    try {
      await Promise.all([a.ready, b.ready]);
      // Both subscriptions are shard subscriptions on the channel's master (none on iovalkey).
      const shardSubscribers = (await (await cluster.masterOf(a.channel)).cli('PUBSUB', 'SHARDNUMSUB', a.channel)).split('\n')[1];
      assert.equal(shardSubscribers, CLIENT_KIND === 'iovalkey' ? '0' : '2');
      const seenByA: BusMessage[] = [];
      const seenByB: BusMessage[] = [];
      a.subscribe((m) => seenByA.push(m));
      b.subscribe((m) => seenByB.push(m));
      await a.publish({ type: 'changed', origin: 'a', ids: ['one'] });
      await b.publish({ type: 'ended', origin: 'b', ids: ['two'], userId: 'u', reason: 'revoke-all' });
      await eventually('both messages reach both buses', () => seenByA.length === 2 && seenByB.length === 2, 10_000);
      assert.deepStrictEqual(seenByA.map((m) => m.origin).sort(), ['a', 'b']);

      await failOver(await cluster.masterOf(a.channel));
      // Publishing may fail while the client follows the new owner; delivery must resume.
      let n = 0;
      await eventually(
        'a message published after the failover reaches the other instance',
        async () => {
          const id = `after-${n++}`;
          await a.publish({ type: 'changed', origin: 'a', ids: [id] }).catch(() => {});
          await new Promise((resolve) => setTimeout(resolve, 100));
          return seenByB.some((m) => m.type === 'changed' && m.ids[0] === id);
        },
        30_000,
        0,
      );
      await eventually('both buses report up again', () => a.state === 'up' && b.state === 'up', 10_000);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
