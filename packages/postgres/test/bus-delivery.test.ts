// SF-29 (multi-instance consistency): what one instance publishes on the Postgres bus reaches
// every instance, itself included; anything else on the channel is ignored; a message too
// large for one NOTIFY arrives complete, in parts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomId } from '@coatcheck/conformance';
import type { BusMessage } from 'coatcheck/bus';
import { BUS_LISTENER_WARNING, MAX_PAYLOAD_BYTES } from '@coatcheck/postgres';
import { DATABASE_URL, onCleanup, unique, useAdmin, waitFor } from './helpers/database.js';
import { assertStoreError } from './helpers/errors.js';
import { collect, openBus } from './helpers/bus.js';

const admin = useAdmin();

describe('SF-29 Postgres bus delivery', () => {
  it("SF-29 two instances see each other's messages and their own, in order", async () => {
    const channel = unique('cc_bus');
    const a = await openBus({ connectionString: DATABASE_URL, channel });
    const b = await openBus({ connectionString: DATABASE_URL, channel });
    const inboxA = collect(a);
    const inboxB = collect(b);

    const first: BusMessage = { type: 'changed', origin: 'instance-a', ids: ['s1', 's2'] };
    const second: BusMessage = { type: 'ended', origin: 'instance-b', ids: ['s3'], userId: 'alice', reason: 'revoke-all' };
    const third: BusMessage = { type: 'upgraded', origin: 'instance-a', oldId: null, newId: 's4', userId: 'bob' };
    await a.publish(first);
    await b.publish(second);
    await a.publish(third);
    for (const inbox of [inboxA, inboxB]) {
      await inbox.until('three messages', (m) => m.length >= 3);
      assert.deepStrictEqual(inbox.messages, [first, second, third]);
    }
  });

  it('SF-29 garbage NOTIFY payloads on the channel are ignored; the bus keeps delivering', async () => {
    const channel = unique('cc_bus_garbage');
    const bus = await openBus({ connectionString: DATABASE_URL, channel });
    const inbox = collect(bus);
    const garbage = [
      'not json',
      '',
      'null',
      '[]',
      '42',
      '{}',
      '{"type":"changed"}',
      '{"type":"changed","origin":"x","ids":[1,2]}',
      '{"type":"ended","origin":"x","ids":["a"],"userId":7,"reason":"logout"}',
      '{"type":"deleted","origin":"x","ids":["a"]}',
      '{"type":"upgraded","origin":"x","newId":"a"}',
    ];
    const valid: BusMessage = { type: 'changed', origin: 'admin', ids: ['after-garbage'] };
    // One session, so Postgres delivers them in this order: the valid message comes last.
    const client = await admin.connect();
    try {
      for (const payload of garbage) await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
      await client.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(valid)]);
    } finally {
      client.release();
    }
    await inbox.until('the valid message', (m) => m.length >= 1);
    assert.deepStrictEqual(inbox.messages, [valid]);
    assert.equal(bus.state, 'up');
  });

  it('SF-29 a message with 2000 ids is split under the NOTIFY limit and arrives complete', async () => {
    const channel = unique('cc_bus_split');
    const sender = await openBus({ connectionString: DATABASE_URL, channel });
    const receiver = await openBus({ connectionString: DATABASE_URL, channel });
    const inbox = collect(receiver);
    const ids = Array.from({ length: 2000 }, randomId);
    const message: BusMessage = { type: 'ended', origin: 'instance-a', ids, userId: 'alice', reason: 'revoke-all' };
    assert.ok(Buffer.byteLength(JSON.stringify(message)) > 8000, 'too big for one NOTIFY');
    await sender.publish(message);

    await inbox.until('all 2000 ids', (m) => m.flatMap((x) => (x.type === 'ended' ? x.ids : [])).length >= 2000);
    assert.ok(inbox.messages.length > 1, 'sent in parts');
    for (const part of inbox.messages) {
      assert.ok(Buffer.byteLength(JSON.stringify(part)) <= MAX_PAYLOAD_BYTES);
      assert.deepStrictEqual({ ...part, ids: [] }, { ...message, ids: [] }, 'every part carries the same header');
    }
    assert.deepStrictEqual(
      inbox.messages.flatMap((x) => (x.type === 'ended' ? x.ids : [])),
      ids,
      'complete and in order',
    );
  });

  it('SF-29 a message that cannot fit a NOTIFY is refused with a store error, not sent truncated', async () => {
    const bus = await openBus({ connectionString: DATABASE_URL, channel: unique('cc_bus_big') });
    const huge: BusMessage = { type: 'upgraded', origin: 'a', oldId: null, newId: 'x', userId: 'u'.repeat(9000) };
    await assert.rejects(bus.publish(huge), (error) => (assertStoreError(error), true));
    await assert.rejects(bus.publish({ type: 'changed', origin: 'a', ids: ['i'.repeat(8000)] }), (error) => (assertStoreError(error), true));
  });

  it('SF-29 a throwing subscriber is reported as a warning; other subscribers and later messages still arrive', async () => {
    const bus = await openBus({ connectionString: DATABASE_URL, channel: unique('cc_bus_throw') });
    const warnings: string[] = [];
    const onWarning = (warning: Error & { code?: string }): void => {
      if (warning.code === BUS_LISTENER_WARNING) warnings.push(warning.message);
    };
    process.on('warning', onWarning);
    onCleanup(() => process.off('warning', onWarning));
    bus.subscribe(() => {
      throw new Error('subscriber bug');
    });
    const inbox = collect(bus);
    const messages: BusMessage[] = [1, 2].map((n) => ({ type: 'changed', origin: 'a', ids: [`s${n}`] }));
    for (const message of messages) await bus.publish(message);
    await inbox.until('both messages', (m) => m.length >= 2);
    assert.deepStrictEqual(inbox.messages, messages);
    await waitFor('the warnings', () => warnings.length >= 2);
    assert.match(warnings[0] as string, /subscriber bug/);
    assert.equal(bus.state, 'up');
  });

  it('SF-27 after close, publish and ping fail with a store error and the state is down', async () => {
    const bus = await openBus({ connectionString: DATABASE_URL, channel: unique('cc_bus_closed') });
    await bus.ping();
    await bus.close();
    assert.equal(bus.state, 'down');
    await assert.rejects(bus.publish({ type: 'changed', origin: 'a', ids: [] }), (error) => (assertStoreError(error), true));
    await assert.rejects(bus.ping(), (error) => (assertStoreError(error), true));
  });
});
