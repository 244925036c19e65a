// Sizing (docs/redis.md): Redis memory per session, measured as the growth of INFO memory
// used_memory over 10,000 sessions on a private server. The payload is a typical session of
// about 200 bytes (profile fields, roles, a small cart). The bound is generous; the figures go
// to the test output.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecord } from '@coatcheck/conformance';
import { redisStore, type RedisStore } from '@coatcheck/redis';
import { useRedisServer, infoField } from './fixtures/redis-server.js';
import { connectClient } from './fixtures/clients.js';

const COUNT = 10_000;
// 10 000 writes at once queue behind each other: the per-call timeout of a production store
// (1 s) is no bound for that on a loaded machine.
const LOADED_MACHINE_TIMEOUT_MS = 30_000;
const server = await useRedisServer();
const client = await connectClient(server.url);

const payload = (i: number) => ({
  email: 'alice@example.com',
  roles: ['user', 'admin'],
  csrf: 'Jb8xQ2fYk9LmN4pR7sT1vW3z',
  cart: [
    { sku: 'A-1', qty: 2 },
    { sku: 'B-2', qty: 1 },
  ],
  counter: i,
  mfa: true,
  theme: 'dark',
  locale: 'en-GB',
});
const device = {
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  ip: '203.0.113.42',
};

async function usedMemory(): Promise<number> {
  return Number(await infoField(server, 'memory', 'used_memory'));
}

async function measure(t: TestContext, store: RedisStore, label: string, userOf: (i: number) => string | null): Promise<number> {
  const before = await usedMemory();
  const now = Date.now();
  for (let start = 0; start < COUNT; start += 500) {
    await Promise.all(
      Array.from({ length: 500 }, (_, k) => {
        const i = start + k;
        return store.create(buildRecord({ now, userId: userOf(i), data: payload(i), device }));
      }),
    );
  }
  const perSession = Math.round(((await usedMemory()) - before) / COUNT);
  const sample = (await client.scanIterator({ MATCH: `${store.keys.prefix}s:*`, COUNT: 10 }).next()).value?.[0];
  const valueBytes = sample ? await client.strLen(sample) : 0;
  t.diagnostic(`${label}: ${perSession} bytes/session (stored value ${valueBytes} bytes, data ${JSON.stringify(payload(42)).length} bytes)`);
  return perSession;
}

describe('sizing', () => {
  it('a session with a ~200-byte payload costs well under 1 KiB of Redis memory, including its user index entry', async (t) => {
    const anonymous = await measure(
      t,
      redisStore({ client, prefix: 'size-anon:', checkConfig: false, opTimeoutMs: LOADED_MACHINE_TIMEOUT_MS }),
      'anonymous',
      () => null,
    );
    const oneEach = await measure(
      t,
      redisStore({ client, prefix: 'size-user:', checkConfig: false, opTimeoutMs: LOADED_MACHINE_TIMEOUT_MS }),
      'authenticated, one session per user',
      (i) => `user-${i}`,
    );
    const tenEach = await measure(
      t,
      redisStore({ client, prefix: 'size-ten:', checkConfig: false, opTimeoutMs: LOADED_MACHINE_TIMEOUT_MS }),
      'authenticated, ten sessions per user',
      (i) => `user-${i % 1000}`,
    );
    assert.equal(Number(await server.cli('DBSIZE')), 3 * COUNT + COUNT + COUNT / 10);
    for (const bytes of [anonymous, oneEach, tenEach]) assert.ok(bytes > 300 && bytes < 1024, `${bytes} bytes/session`);
  });
});
