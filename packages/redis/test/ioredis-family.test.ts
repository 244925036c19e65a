// SF-01 and SF-29 on ioredis and iovalkey in every run (the full suites run on them with
// `npm run test:ioredis` / `test:iovalkey`): the store contract holds, the bus delivers between
// two clients, the tools walk the keyspace, and the recommended options fail fast.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis as Ioredis } from 'ioredis';
import { Redis as Iovalkey } from 'iovalkey';
import type { BusMessage } from 'coatcheck/bus';
import { buildRecord, describeStoreConformance } from '@coatcheck/conformance';
import { checkRedisConfig, connectRedis, createIoredisOptions, redisBus, redisStore, scanRedisSessions, scanRedisUserIndexes } from '@coatcheck/redis';
import { REDIS_URL, connectClient, eventually, uniquePrefix } from './fixtures/clients.js';
import { freePort, useRedisServer } from './fixtures/redis-server.js';

const prefix = uniquePrefix('ioredis-family');
const guarded = await useRedisServer(['--requirepass', 'right-password']);
// node-redis removes the keys afterwards.
await connectClient(undefined, { cleanupPrefix: prefix });

for (const [name, Redis] of [
  ['ioredis', Ioredis],
  ['iovalkey', Iovalkey as unknown as typeof Ioredis],
] as const) {
  const connect = async (): Promise<InstanceType<typeof Ioredis>> => {
    const client = new Redis(REDIS_URL, { ...createIoredisOptions({ baseDelayMs: 20, maxDelayMs: 200 }), lazyConnect: true });
    client.on('error', () => {});
    await client.connect();
    after(() => client.disconnect());
    return client;
  };
  const client = await connect();
  const own = `${prefix}${name}:`;

  describeStoreConformance(`redisStore (${name})`, () => redisStore({ client, prefix: own, checkConfig: false }), {
    nativeExpiry: true,
    numRuns: 20,
    restart: () => redisStore({ client, prefix: own, checkConfig: false }),
  });

  describe(`@coatcheck/redis on ${name}`, () => {
    it('SF-29 two buses on two clients see each other’s messages', async () => {
      const a = redisBus({ client, prefix: own });
      const b = redisBus({ client: await connect(), prefix: own });
      try {
        await Promise.all([a.ready, b.ready]);
        const seen: BusMessage[] = [];
        b.subscribe((message) => seen.push(message));
        const message: BusMessage = { type: 'changed', origin: 'a', ids: ['s1'] };
        await a.publish(message);
        await eventually('b receives it', () => seen.length === 1);
        assert.deepStrictEqual(seen, [message]);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('scanRedisSessions and scanRedisUserIndexes walk the prefix; checkRedisConfig reads the policy', async () => {
      const store = redisStore({ client, prefix: `${own}scan:`, checkConfig: false });
      const now = Date.now();
      const record = buildRecord({ now, userId: 'alice' });
      assert.equal(await store.create(record), true);
      const found = [];
      for await (const session of scanRedisSessions(client, { prefix: `${own}scan:` })) found.push(session.id);
      assert.deepStrictEqual(found, [record.id]);
      const indexes = [];
      for await (const entry of scanRedisUserIndexes(client, { prefix: `${own}scan:` })) indexes.push(entry);
      assert.deepStrictEqual(indexes, [{ userId: 'alice', ids: [record.id], missing: [] }]);
      const [finding] = await checkRedisConfig(client, { warn: false });
      assert.equal(finding?.node, 'server');
      assert.equal(typeof finding?.policy, 'string');
    });

    it('a client with ioredis’ keyPrefix is refused: coatcheck’s own prefix does that job everywhere', () => {
      const prefixed = new Redis(REDIS_URL, { keyPrefix: 'app:', lazyConnect: true });
      assert.throws(() => redisStore({ client: prefixed }), { code: 'ERR_SESSION_INVALID_OPTION', message: /keyPrefix.*`prefix`/ });
      assert.throws(() => redisBus({ client: prefixed }), { code: 'ERR_SESSION_INVALID_OPTION' });
    });

    it('connectRedis resolves once the client is ready, and a client already ready as is', async () => {
      const lazy = new Redis(REDIS_URL, { ...createIoredisOptions(), lazyConnect: true });
      lazy.on('error', () => {});
      after(() => lazy.disconnect());
      assert.equal(await connectRedis(lazy), lazy);
      assert.equal(lazy.status, 'ready');
      assert.equal(await connectRedis(lazy), lazy);
    });

    it('connectRedis gives up on an unreachable Redis within timeoutMs, naming the URL and the last error', async () => {
      const port = await freePort();
      const unreachable = new Redis(`redis://127.0.0.1:${port}`, { ...createIoredisOptions({ baseDelayMs: 20, maxDelayMs: 50 }), lazyConnect: true });
      await assert.rejects(connectRedis(unreachable, { timeoutMs: 500 }), (error: unknown) => {
        assert.equal((error as { code?: unknown }).code, 'ERR_SESSION_STORE_STARTUP');
        assert.match((error as Error).message, new RegExp(`redis://127\\.0\\.0\\.1:${port} within 500 ms.*ECONNREFUSED`));
        return true;
      });
      // disconnect() during a backoff pause cancels the next attempt but leaves ioredis' status
      // at 'reconnecting'; either way the client is no longer ready.
      assert.notEqual(unreachable.status, 'ready');
    });

    it('connectRedis fails at once on a wrong password', async () => {
      const url = new URL(guarded.url);
      url.password = 'wrong-password';
      const wrong = new Redis(url.href, { ...createIoredisOptions(), lazyConnect: true });
      await assert.rejects(connectRedis(wrong, { timeoutMs: 60_000 }), /refused the credentials: WRONGPASS/);
      await eventually('the client stopped retrying', () => wrong.status === 'end');
    });

    it('with the recommended options a command on a client that is not connected fails at once', async () => {
      const idle = new Redis(REDIS_URL, { ...createIoredisOptions(), lazyConnect: true });
      const store = redisStore({ client: idle, prefix: own, checkConfig: false });
      await assert.rejects(store.get('x', Date.now()), { code: 'ERR_SESSION_STORE_UNAVAILABLE' });
      idle.disconnect();
    });
  });
}
