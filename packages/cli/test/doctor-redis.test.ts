// `coatcheck doctor` against private redis-server processes (never the shared server's
// config): an evicting policy fails, a correct configuration passes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRedisServer } from '../../redis/test/fixtures/redis-server.js';
import { runJson } from './helpers/run-cli.js';

interface DoctorReport {
  findings: { level: string; check: string; what: string; fix: string | null }[];
}
const SECRET = 'q3Xv9LpZk2Rw7Tn4Ys8Bm1Hc6Jd0Gf5Ae-Ui_Oo3Pp';

describe('coatcheck doctor on Redis', () => {
  it('fails a Redis with maxmemory-policy allkeys-lru and says to set noeviction', async () => {
    const server = await startRedisServer(['--maxmemory-policy', 'allkeys-lru', '--appendonly', 'yes']);
    const { code, json } = await runJson<DoctorReport>(['doctor', '--store', server.url], { env: { SESSION_SECRET: SECRET } });
    assert.equal(code, 1);
    const eviction = json.findings.find((f) => f.check === 'redis.eviction');
    assert.equal(eviction?.level, 'fail');
    assert.match(eviction?.what ?? '', /allkeys-lru/);
    assert.match(eviction?.fix ?? '', /noeviction/);
    await server.kill();
  });

  it('passes a Redis with noeviction and appendonly, and flags a missing persistence', async () => {
    const server = await startRedisServer(['--maxmemory-policy', 'noeviction', '--appendonly', 'yes']);
    const good = await runJson<DoctorReport>(['doctor', '--store', server.url], { env: { SESSION_SECRET: SECRET } });
    assert.equal(good.code, 0, JSON.stringify(good.json.findings.filter((f) => f.level === 'fail')));
    const levels = Object.fromEntries(good.json.findings.map((f) => [f.check, f.level]));
    assert.equal(levels['redis.eviction'], 'ok');
    assert.equal(levels['redis.persistence'], 'ok');
    assert.equal(levels['store.clock'], 'ok');
    assert.equal(levels['store.latency'] !== undefined, true);
    assert.equal(levels.secret, 'ok');
    await server.cli('CONFIG', 'SET', 'appendonly', 'no');
    await server.cli('CONFIG', 'SET', 'save', '');
    const bare = await runJson<DoctorReport>(['doctor', '--store', server.url], { env: { SESSION_SECRET: SECRET } });
    assert.equal(bare.code, 1);
    assert.equal(bare.json.findings.find((f) => f.check === 'redis.persistence')?.level, 'fail');
    await server.kill();
  });
});
