// The store commands and doctor against a private Redis Cluster (3 masters, 3 replicas) by a
// redis+cluster:// URL: records spread over every master are all found, a revocation is
// announced on the sharded bus channel, and a re-encryption reaches every master.
import { describe, it } from 'node:test';
import { waitFor } from '@coatcheck/testkit/wait-for';
import assert from 'node:assert/strict';
import { redisStore } from '@coatcheck/redis';
import { useRedisCluster } from '../../redis/test/fixtures/redis-cluster.js';
import { uniquePrefix } from '../../redis/test/fixtures/clients.js';
import { seed } from './helpers/records.js';
import { runJson } from './helpers/run-cli.js';
import { rotateAndCheck } from './helpers/reencrypt.js';

// At the top level, like the store's own Cluster tests: the fixture's `after` hook then
// belongs to the file, not to a hook.
const cluster = await useRedisCluster();
const client = await cluster.connect();
const url = `redis+cluster://${cluster.nodes
  .slice(0, 2)
  .map((n) => `127.0.0.1:${n.port}`)
  .join(',')}`;

describe('coatcheck against a Redis Cluster', () => {
  it('counts, lists and revokes sessions spread over every master', async () => {
    const prefix = uniquePrefix('cli-cluster');
    const store = redisStore({ client, prefix, checkConfig: false });
    const { alice } = await seed(store);
    const args = ['--store', url, '--prefix', prefix];
    const stats = await runJson<{ live: number; signedIn: number }>(['stats', ...args]);
    assert.equal(stats.code, 0, stats.stderr);
    assert.equal(stats.json.live, 6);
    assert.equal(stats.json.signedIn, 4);
    const list = await runJson<{ sessions: { id: string }[] }>(['sessions', 'list', '--user', 'alice', ...args]);
    assert.deepEqual(list.json.sessions.map((s) => s.id).sort(), alice.map((r) => r.id).sort());

    const messages: string[] = [];
    await client.sSubscribe(`${prefix}bus`, (message) => messages.push(message));
    const revoked = await runJson<{ revoked: string[]; announced: boolean }>(['revoke', '--user', 'alice', ...args]);
    assert.equal(revoked.json.revoked.length, 3);
    assert.equal(revoked.json.announced, true);
    // Published before the command returned; delivered to this subscriber a moment later.
    await waitFor('an ended message naming every revoked session on the sharded channel', () => messages.some((m) => alice.every((r) => m.includes(r.id))));
    assert.equal((await store.listByUser('alice', Date.now())).length, 0);
  });

  it('reencrypt rotates the sessions of every master to the new key', async () => {
    const prefix = uniquePrefix('cli-cluster-reencrypt');
    await rotateAndCheck({ open: () => redisStore({ client, prefix, checkConfig: false }), args: ['--store', url, '--prefix', prefix] });
  });

  it('doctor reads the eviction policy of every master', async () => {
    const { json } = await runJson<{ findings: { check: string; level: string; what: string }[] }>(['doctor', '--store', url], {
      env: { SESSION_SECRET: undefined },
    });
    const eviction = json.findings.filter((f) => f.check === 'redis.eviction');
    assert.equal(eviction.length, 3, JSON.stringify(eviction));
    assert.equal(json.findings.filter((f) => f.check === 'redis.replication' && f.level === 'ok').length, 3);
  });
});
