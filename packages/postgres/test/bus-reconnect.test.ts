// SF-29 / SF-15 / SF-16 for the bus: its dedicated LISTEN connection reports 'down' when it is
// killed, refused or hung, reconnects by itself (backoff with jitter), re-LISTENs, reports
// 'up', and delivery resumes. Publish and ping fail closed while the server is away.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BusMessage, BusState } from 'coatcheck/bus';
import type { PostgresBus } from '@coatcheck/postgres';
import { startTcpProxy, type TcpProxy } from '@coatcheck/testkit/tcp-proxy';
import { DATABASE_URL, killBackends, onCleanup, unique, urlVia, urlWith, useAdmin, waitFor } from './helpers/database.js';
import { assertStoreError } from './helpers/errors.js';
import { collect, openBus, recordStates } from './helpers/bus.js';

const admin = useAdmin();
const target = new URL(DATABASE_URL);
let proxy: TcpProxy;

before(async () => {
  proxy = await startTcpProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
  onCleanup(() => proxy.close());
});

const CAP = { timeout: 60_000 };
const fast = { opTimeoutMs: 300, minReconnectDelayMs: 20, maxReconnectDelayMs: 200, heartbeatIntervalMs: 150 };

/** After an outage: went down, came back up, and a message from another instance arrives. */
async function assertBackAndDelivering(bus: PostgresBus, states: BusState[], channel: string): Promise<void> {
  await waitFor('the bus to come back up', () => states.at(-1) === 'up' && bus.state === 'up', 30_000);
  assert.equal(states[0], 'down');
  states.forEach((state, i) => {
    assert.notEqual(state, states[i - 1], 'states alternate');
  });
  const sender = await openBus({ connectionString: DATABASE_URL, channel });
  const inbox = collect(bus);
  const message: BusMessage = { type: 'ended', origin: 'sender', ids: ['s1'], userId: 'alice', reason: 'logout' };
  await sender.publish(message);
  await inbox.until('the message after reconnecting', (m) => m.length >= 1);
  assert.deepStrictEqual(inbox.messages, [message]);
  await bus.ping();
}

describe('SF-29 Postgres bus reconnects', () => {
  it('SF-15 its connections terminated: state goes down, then up again after reconnecting, and delivery resumes', CAP, async () => {
    const channel = unique('cc_bus_kill');
    const app = unique('cc_bus_app');
    const bus = await openBus({ connectionString: urlWith({ application_name: app }), channel, ...fast });
    const states = recordStates(bus);
    assert.ok((await killBackends(admin, app)) >= 1, 'the listening connection was killed');
    await waitFor('the bus to report down', () => states.includes('down'));
    await assertBackAndDelivering(bus, states, channel);
  });

  it('SF-16 server gone (proxy disabled): down, publish and ping fail closed; back up after the server returns', CAP, async () => {
    const channel = unique('cc_bus_down');
    const bus = await openBus({ connectionString: urlVia('127.0.0.1', proxy.port), channel, ...fast });
    const states = recordStates(bus);
    await proxy.disable();
    try {
      await waitFor('the bus to report down', () => bus.state === 'down');
      await assert.rejects(bus.publish({ type: 'changed', origin: 'a', ids: ['x'] }), (error) => (assertStoreError(error), true));
      await assert.rejects(bus.ping(), (error) => (assertStoreError(error), true));
    } finally {
      await proxy.enable();
    }
    await assertBackAndDelivering(bus, states, channel);
  });

  it('SF-16 hung server (proxy paused): the heartbeat notices, state goes down; back up after it answers again', CAP, async () => {
    const channel = unique('cc_bus_hung');
    const bus = await openBus({ connectionString: urlVia('127.0.0.1', proxy.port), channel, ...fast });
    const states = recordStates(bus);
    proxy.pause();
    try {
      await waitFor('the heartbeat to declare the connection dead', () => bus.state === 'down');
      await assert.rejects(bus.ping(), (error) => (assertStoreError(error), true));
    } finally {
      proxy.resume();
    }
    await assertBackAndDelivering(bus, states, channel);
  });
});
