// SF-01 with a Sentinel client (node-redis createSentinel, or ioredis/iovalkey new Redis({ sentinels })):
// the store contract holds and the bus delivers; on node-redis the bus subscribes on the Sentinel
// client's own pub/sub connection (it cannot be duplicated). One master, one sentinel, private ports.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BusMessage } from 'coatcheck/bus';
import { describeStoreConformance } from '@coatcheck/conformance';
import { redisBus, redisStore } from '@coatcheck/redis';
import { useRedisServer } from './fixtures/redis-server.js';
import { eventually, uniquePrefix } from './fixtures/clients.js';
import { connectAnySentinel } from './fixtures/client-kind.js';

const master = await useRedisServer();
const sentinel = await useRedisServer(['--sentinel'], { config: `sentinel monitor mymaster 127.0.0.1 ${master.port} 1\n` });

const client = await connectAnySentinel(sentinel.port);
const prefix = uniquePrefix('sentinel');

describeStoreConformance('redisStore (Sentinel client)', () => redisStore({ client, prefix, checkConfig: false }), {
  nativeExpiry: true,
  numRuns: 20,
});

describe('redisBus (Sentinel client)', () => {
  it('SF-29 two buses on Sentinel clients see each other’s messages', async () => {
    const a = redisBus({ client, prefix });
    const b = redisBus({ client: await connectAnySentinel(sentinel.port), prefix });
    try {
      await Promise.all([a.ready, b.ready]);
      const seen: BusMessage[] = [];
      b.subscribe((message) => seen.push(message));
      const message: BusMessage = { type: 'changed', origin: 'a', ids: ['s1'] };
      await a.publish(message);
      await eventually('b receives it', () => seen.length === 1);
      assert.deepStrictEqual(seen, [message]);
      assert.equal(b.state, 'up');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
