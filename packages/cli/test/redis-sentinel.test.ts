// The store commands and doctor through Sentinel by a redis+sentinel:// URL: one master and
// one sentinel, private redis-server processes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redisStore } from '@coatcheck/redis';
import { connectSentinel, uniquePrefix } from '../../redis/test/fixtures/clients.js';
import { useRedisServer } from '../../redis/test/fixtures/redis-server.js';
import { seed } from './helpers/records.js';
import { runJson, type StatsReport } from './helpers/run-cli.js';

const master = await useRedisServer(['--maxmemory-policy', 'volatile-lru']);
const sentinel = await useRedisServer(['--sentinel'], { config: `sentinel monitor mymaster 127.0.0.1 ${master.port} 1\n` });
const client = await connectSentinel(sentinel.port);
const url = `redis+sentinel://127.0.0.1:${sentinel.port}/mymaster`;

describe('coatcheck through Redis Sentinel', () => {
  it('counts and revokes the sessions of the master Sentinel names', async () => {
    const prefix = uniquePrefix('cli-sentinel');
    const { bob } = await seed(redisStore({ client, prefix, checkConfig: false }));
    const stats = await runJson<StatsReport>(['stats', '--store', url, '--prefix', prefix]);
    assert.equal(stats.code, 0, stats.stderr);
    assert.equal(stats.json.live, 6);
    const revoked = await runJson<{ revoked: string[]; announced: boolean }>(['revoke', '--user', 'bob', '--store', url, '--prefix', prefix]);
    assert.deepEqual(revoked.json.revoked, [bob[0]?.id]);
    assert.equal(revoked.json.announced, true);
  });

  it('doctor fails a volatile-lru master: session keys all have a TTL', async () => {
    const { code, json } = await runJson<{ findings: { check: string; level: string; what: string }[] }>(['doctor', '--store', url], {
      env: { SESSION_SECRET: undefined },
    });
    assert.equal(code, 1);
    const eviction = json.findings.find((f) => f.check === 'redis.eviction');
    assert.equal(eviction?.level, 'fail');
    assert.match(eviction?.what ?? '', /volatile-lru/);
  });
});
