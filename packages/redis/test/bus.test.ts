// SF-29: the Redis bus carries session events between instances. Two buses on one Redis see
// each other's messages (and their own); anything malformed on the channel is dropped; the
// state goes down when Redis dies and up again after it restarts, with the subscription back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BusMessage, BusState } from 'coatcheck/bus';
import { isSessionError } from 'coatcheck';
import { redisBus } from '@coatcheck/redis';
import { useRedisServer } from './fixtures/redis-server.js';
import { REDIS_URL, eventually, uniquePrefix } from './fixtures/clients.js';
import { connectAny } from './fixtures/client-kind.js';

const client = await connectAny(REDIS_URL);
const other = await connectAny(REDIS_URL);

function record(bus: { subscribe(listener: (m: BusMessage) => void): () => void }): BusMessage[] {
  const seen: BusMessage[] = [];
  bus.subscribe((message) => seen.push(message));
  return seen;
}

describe('redisBus', () => {
  it('SF-29 two buses on one Redis each receive every message, their own included, as frozen copies', async () => {
    const prefix = uniquePrefix('bus');
    const a = redisBus({ client, prefix });
    const b = redisBus({ client: other, prefix });
    try {
      await Promise.all([a.ready, b.ready]);
      assert.equal(a.state, 'up');
      const [seenByA, seenByB] = [record(a), record(b)];
      const sent: BusMessage[] = [
        { type: 'changed', origin: 'instance-a', ids: ['s1', 's2'] },
        { type: 'ended', origin: 'instance-b', ids: ['s3'], userId: 'alice', reason: 'revoke-all' },
        { type: 'upgraded', origin: 'instance-a', oldId: null, newId: 's4', userId: 'bob' },
      ];
      await a.publish(sent[0]!);
      await b.publish(sent[1]!);
      await a.publish(sent[2]!);
      await eventually('all messages everywhere', () => seenByA.length === 3 && seenByB.length === 3);
      assert.deepStrictEqual(seenByA, sent);
      assert.deepStrictEqual(seenByB, sent);
      assert.ok(Object.isFrozen(seenByA[0]));
      assert.notStrictEqual(seenByA[0], seenByB[0]);
      await a.ping();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('SF-29 malformed messages published raw on the channel are dropped; valid ones still arrive', async () => {
    const prefix = uniquePrefix('bus');
    const bus = redisBus({ client, prefix });
    try {
      await bus.ready;
      const seen = record(bus);
      const throwing = bus.subscribe(() => {
        throw new Error('a listener bug must not stop delivery');
      });
      for (const raw of ['not json', '{"type":"changed"}', '{"type":"nope","origin":"x"}', '[1,2]', 'null', '{"type":"changed","origin":"x","ids":[1]}']) {
        await client.publish(bus.channel, raw);
      }
      const valid: BusMessage = { type: 'changed', origin: 'x', ids: ['ok'] };
      await client.publish(bus.channel, JSON.stringify(valid));
      await eventually('the valid message', () => seen.length === 1);
      assert.deepStrictEqual(seen, [valid]);
      assert.equal(bus.dropped, 6);
      throwing();
    } finally {
      await bus.close();
    }
  });

  it('SF-29 state goes down when Redis dies and up after it restarts; publishing fails fast while down and the subscription resumes', async () => {
    const server = await useRedisServer();
    const prefix = uniquePrefix('bus');
    const privateClient = await connectAny(server.url);
    const publisher = await connectAny(server.url);
    const bus = redisBus({ client: privateClient, prefix, probeIntervalMs: 50, resubscribeAfterMs: 1000 });
    try {
      await bus.ready;
      const states: BusState[] = [];
      bus.onStateChange((state) => states.push(state));
      const seen = record(bus);

      await server.kill();
      await eventually('state down', () => bus.state === 'down');
      await assert.rejects(bus.publish({ type: 'changed', origin: 'x', ids: ['lost'] }), (error: unknown) => {
        assert.ok(isSessionError(error));
        assert.equal(error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
        return true;
      });
      await assert.rejects(bus.ping());

      await server.start();
      await eventually('state up again', () => bus.state === 'up', 30_000);
      assert.deepStrictEqual(states, ['down', 'up']);
      const message: BusMessage = { type: 'ended', origin: 'other', ids: ['s9'], userId: null, reason: 'logout' };
      await eventually(
        'a message from another client arrives',
        async () => {
          await publisher.publish(bus.channel, JSON.stringify(message)).catch(() => 0);
          return seen.length > 0;
        },
        30_000,
        100,
      );
      assert.deepStrictEqual(seen[0], message);
    } finally {
      await bus.close();
    }
    assert.equal(bus.state, 'down', 'a closed bus is down');
  });

  it('SF-29 a frozen Redis (SIGSTOP) is detected by the heartbeat: the bus goes down, and up after SIGCONT', async () => {
    const server = await useRedisServer();
    const privateClient = await connectAny(server.url);
    const bus = redisBus({ client: privateClient, prefix: uniquePrefix('bus'), opTimeoutMs: 200, probeIntervalMs: 50, heartbeatIntervalMs: 100 });
    try {
      await bus.ready;
      server.pause();
      try {
        await eventually('state down while frozen', () => bus.state === 'down', 10_000);
      } finally {
        server.resume();
      }
      await eventually('state up after SIGCONT', () => bus.state === 'up', 30_000);
    } finally {
      await bus.close();
    }
  });
});
