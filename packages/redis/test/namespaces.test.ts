// SF-24: two apps with different prefixes on one Redis are isolated: revoking every session of a
// user in app A leaves app B's sessions alone, A's tickets are unknown to B (even with the same
// signing secret), and no code path runs KEYS (checked in INFO commandstats of a private server).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionConfigError } from 'coatcheck';
import { buildRecord } from '@coatcheck/conformance';
import { redisKeys, redisStore } from '@coatcheck/redis';
import { useRedisServer, type RedisProcess } from './fixtures/redis-server.js';
import { connectAny } from './fixtures/client-kind.js';
import { HTTPS, buildApp, login, me } from './fixtures/http-app.js';

const server = await useRedisServer();
const storeClient = await connectAny(server.url);
const storeA = redisStore({ client: storeClient, prefix: 'app-a:', checkConfig: false });
const storeB = redisStore({ client: storeClient, prefix: 'app-b:', checkConfig: false });
const { app: appA } = await buildApp(storeA);
const { app: appB } = await buildApp(storeB);

async function commandStats(redis: RedisProcess): Promise<Map<string, number>> {
  const stats = new Map<string, number>();
  for (const line of (await redis.cli('INFO', 'commandstats')).split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match) stats.set(match[1] as string, Number(match[2]));
  }
  return stats;
}

interface Me {
  userId: string | null;
  status: string;
  cart: unknown[];
}
const user = (response: { body: string }): Me => JSON.parse(response.body) as Me;

describe('SF-24 namespaces', () => {
  it('SF-24 revoking all of alice’s sessions in app A leaves app B’s untouched; A’s tickets are invalid in B; no KEYS ran', async () => {
    const a1 = await login(appA);
    const a2 = await login(appA);
    const b1 = await login(appB);
    // Same secret in both apps, so B verifies A's signature and then looks the id up: not found.
    assert.deepStrictEqual(user(await me(appB, a1)), { userId: null, status: 'expired', cart: [] });

    const revoked = await appA.inject({ method: 'POST', url: '/revoke-all', headers: { ...HTTPS, cookie: a1 } });
    assert.equal((JSON.parse(revoked.body) as { revoked: string[] }).revoked.length, 2);
    assert.equal(user(await me(appA, a1)).userId, null);
    assert.equal(user(await me(appA, a2)).userId, null);
    assert.deepStrictEqual(user(await me(appB, b1)), { userId: 'alice', status: 'valid', cart: [] });
    assert.equal((await storeB.listByUser('alice', Date.now())).length, 1);
    assert.equal((await storeA.listByUser('alice', Date.now())).length, 0);

    // prune walks its prefix with SCAN; nothing anywhere used KEYS.
    await storeA.prune(Date.now());
    const stats = await commandStats(server);
    assert.ok((stats.get('scan') ?? 0) > 0, 'prune used SCAN');
    assert.equal(stats.get('keys'), undefined, 'KEYS was never called');
  });

  it('SF-24 a record of store A is invisible to store B, and deleting in B never touches A', async () => {
    const now = Date.now();
    const record = buildRecord({ now, userId: 'bob' });
    assert.equal(await storeA.create(record), true);
    assert.equal(await storeB.get(record.id, now), null);
    assert.equal(await storeB.delete(record.id), false);
    assert.deepStrictEqual(await storeB.deleteByUser('bob'), []);
    // Even a prune that considers everything expired only walks B's own keys.
    await storeB.prune(now + 365 * 86_400_000);
    assert.deepStrictEqual(await storeA.get(record.id, now), record);
  });

  it('SF-24 prefixes with glob characters, braces or spaces are refused (they would leak into SCAN MATCH or Cluster slots)', () => {
    for (const prefix of ['app*', 'app?', 'app[1]', 'app\\x', '{app}:', 'my app:', '', 'x'.repeat(65)]) {
      assert.throws(() => redisKeys(prefix), SessionConfigError, prefix);
    }
    assert.equal(redisKeys('shop:sessions:').session('abc'), 'shop:sessions:s:abc');
    assert.equal(redisKeys().user('u1'), 'coatcheck:u:u1');
    assert.equal(redisKeys('x/y.z-1_').channel, 'x/y.z-1_bus');
  });
});
