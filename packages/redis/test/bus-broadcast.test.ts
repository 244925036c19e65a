// Application broadcasts on the Redis bus: realtime hubs deliver one message to sockets held
// by every instance through them. They share the session channel (one subscription, one
// heartbeat), reach every instance including the sender, stay apart from session messages,
// and only reach listeners of their own broadcast channel.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BusMessage } from 'coatcheck/bus';
import { redisBus } from '@coatcheck/redis';
import { REDIS_URL, eventually, uniquePrefix } from './fixtures/clients.js';
import { connectAny } from './fixtures/client-kind.js';

const client = await connectAny(REDIS_URL);
const other = await connectAny(REDIS_URL);

describe('redisBus broadcasts', () => {
  it('SF-29 a broadcast reaches the listeners of its channel on every instance, and no session listener', async () => {
    const prefix = uniquePrefix('bcast');
    const a = redisBus({ client, prefix });
    const b = redisBus({ client: other, prefix });
    try {
      await Promise.all([a.ready, b.ready]);
      const sessionMessages: BusMessage[] = [];
      a.subscribe((m) => sessionMessages.push(m));
      const [onA, onB, otherChannel]: [string[], string[], string[]] = [[], [], []];
      a.onBroadcast('realtime', (p) => onA.push(p));
      const offB = b.onBroadcast('realtime', (p) => onB.push(p));
      b.onBroadcast('elsewhere', (p) => otherChannel.push(p));
      const payload = JSON.stringify({ text: 'héllo "quoted" \n', n: 1 });
      await a.broadcast('realtime', payload);
      await b.broadcast('realtime', 'second');
      await eventually('both broadcasts on both instances', () => onA.length === 2 && onB.length === 2);
      assert.deepEqual(onA, [payload, 'second']);
      assert.deepEqual(onB, [payload, 'second']);
      assert.deepEqual(otherChannel, []);
      offB();
      await a.broadcast('realtime', 'third');
      await eventually('third on A', () => onA.length === 3);
      assert.equal(onB.length, 2, 'an unsubscribed listener gets nothing more');
      // A session message still flows, and the broadcasts never reached session listeners.
      await a.publish({ type: 'changed', origin: 'x', ids: ['s1'] });
      await eventually('session message', () => sessionMessages.length === 1);
      assert.equal(sessionMessages[0]?.type, 'changed');
      assert.equal(a.dropped, 0);
      assert.ok(a.maxBroadcastBytes > 1024 * 1024);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('SF-29 a malformed broadcast on the channel is dropped and a throwing listener does not stop the others', async () => {
    const prefix = uniquePrefix('bcast');
    const bus = redisBus({ client, prefix });
    try {
      await bus.ready;
      const seen: string[] = [];
      bus.onBroadcast('realtime', () => {
        throw new Error('listener bug');
      });
      bus.onBroadcast('realtime', (p) => seen.push(p));
      await client.publish(bus.channel, '{"type":"broadcast","channel":"realtime","payload":42}');
      await bus.broadcast('realtime', 'ok');
      await eventually('the valid broadcast', () => seen.length === 1);
      assert.deepEqual(seen, ['ok']);
      assert.equal(bus.dropped, 1);
    } finally {
      await bus.close();
    }
  });
});
