// The Redis rate-limit backend passes the backend contract on a standalone Redis
// (REDIS_URL): every limiter instance on its own client, one key space. Keys expire by
// themselves when their time passes, which the expiry test checks with PTTL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeRateLimitConformance } from '@coatcheck/conformance';
import { createRateLimiter } from 'coatcheck/rate-limit';
import { isSessionError } from 'coatcheck/errors';
import { redisRateLimit, type RedisRateLimit } from '@coatcheck/redis';
import { REDIS_URL, connectClient, uniquePrefix } from './fixtures/clients.js';
import { connectAny } from './fixtures/client-kind.js';

const prefix = uniquePrefix('ratelimit');
// The backends run on the client kind under test; PTTL is read, and keys removed, with node-redis.
const inspector = await connectClient(undefined, { cleanupPrefix: prefix });
const clients = await Promise.all(Array.from({ length: 4 }, () => connectAny(REDIS_URL)));
let next = 0;

const backend = (): RedisRateLimit => redisRateLimit({ client: clients[next++ % clients.length]!, prefix });
const pttl = async (key: string): Promise<number | null> => {
  const ms = await inspector.pTTL(backend().keyOf(key));
  return ms < 0 ? null : ms;
};

describeRateLimitConformance('redisRateLimit (standalone, a client per instance)', backend, { ttlOf: pttl });

describe('redisRateLimit', () => {
  it('refuses bad options with a message that says how to fix them', () => {
    assert.throws(() => redisRateLimit({} as never), /`client` must be a connected Redis client: node-redis v5 or v6 .* or ioredis \/ iovalkey/);
    assert.throws(() => redisRateLimit({ client: inspector, prefix: 'a{b}' }), /redisRateLimit: `prefix` must be/);
    assert.throws(() => redisRateLimit({ client: inspector, opTimeoutMs: 0 }), /`opTimeoutMs` must be a positive integer/);
  });

  it("keeps hashed keys under <prefix>rl: with the limiter's name, never the raw value", async () => {
    const limiter = createRateLimiter({ backend: backend(), name: 'keys', rules: { account: { limit: 2, windowMs: 60_000 } }, pruneIntervalMs: 0 });
    await limiter.hit({ account: 'ada@example.com' });
    const keys: string[] = [];
    for await (const batch of inspector.scanIterator({ MATCH: `${prefix}rl:keys:*`, COUNT: 1000 })) keys.push(...batch);
    assert.equal(keys.length, 1);
    assert.match(keys[0]!, new RegExp(`^${prefix}rl:keys:account:0:[A-Za-z0-9_-]{43}$`));
    assert.doesNotMatch(keys[0]!, /ada/);
  });

  it('a value of another type under the key counts as absent and is replaced', async () => {
    const limiter = redisRateLimit({ client: clients[0]!, prefix });
    await inspector.hSet(limiter.keyOf('foreign'), 'a', '1');
    const now = Date.now();
    assert.deepEqual(await limiter.consume('foreign', { now, incrementMs: 1000, capacityMs: 1000 }), { allowed: true, tat: now + 1000 });
    assert.equal(await inspector.get(limiter.keyOf('foreign')), String(now + 1000));
  });

  it('a closed backend rejects with SessionStoreError', async () => {
    const limiter = redisRateLimit({ client: clients[0]!, prefix });
    await limiter.close();
    await assert.rejects(limiter.consume('k', { now: 0, incrementMs: 1, capacityMs: 1 }), (error) => {
      assert.ok(isSessionError(error));
      assert.equal(error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
      return true;
    });
  });
});
