// WS-10, WS-11, WS-14: oversized and malformed input and a store outage never crash the hub
// or affect other sockets; an outage fails closed (503 at the handshake, 1013 for open
// sockets after two failed re-checks).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionStore } from 'coatcheck/store-kit';
import { memoryStore } from 'coatcheck/memory';
import { CLOSE_CODES } from '@coatcheck/realtime';
import { createManager, login, ready, refusal, serve } from './helpers.js';

/** A memory store that can be switched to failing, like a database that went away. */
function flakyStore(): SessionStore & { down: boolean } {
  const inner = memoryStore();
  const store = Object.create(null) as SessionStore & { down: boolean };
  store.down = false;
  for (const key of ['get', 'create', 'update', 'touch', 'delete', 'listByUser', 'deleteByUser', 'prune', 'ping', 'close'] as const) {
    (store as any)[key] = (...args: unknown[]) => (store.down ? Promise.reject(new Error('ECONNREFUSED')) : (inner as any)[key](...args));
  }
  Object.defineProperty(store, 'name', { value: 'flaky' });
  return store;
}

describe('bad input and outages', () => {
  it('WS-10 a message over maxPayloadBytes closes that socket with 1009; others are unaffected', async () => {
    const manager = createManager();
    const { url } = await serve(manager, { maxPayloadBytes: 1024 });
    const { cookie } = await login(manager, 'alice');
    const [big, bystander] = [await ready(url, { cookie }), await ready(url, { cookie })];
    big.ws.send(JSON.stringify({ type: 'message', data: 'x'.repeat(2048) }));
    assert.equal((await big.closed).code, CLOSE_CODES.MESSAGE_TOO_BIG);
    bystander.ws.send('{"type":"heartbeat"}');
    await bystander.next('heartbeat');
    bystander.ws.close();
  });

  it('WS-11 malformed frames get error frames; a binary frame closes with 1008; the hub stays up', async () => {
    const manager = createManager();
    const { url, hub } = await serve(manager);
    const { cookie } = await login(manager, 'bob');
    const client = await ready(url, { cookie });
    for (const bad of ['{', '[]', 'null', '{"type":"nope"}', '{"type":"join","room":""}', '{"type":"join","room":"a b"}', '{"type":"auth","token":"x"}']) {
      client.ws.send(bad);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(client.frames.filter((f) => f.code === 'ERR_REALTIME_BAD_MESSAGE').length, 7);
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await client.closed).code, CLOSE_CODES.POLICY_VIOLATION);
    const again = await ready(url, { cookie });
    assert.equal(hub.stats.connections, 1);
    again.ws.close();
  });

  it('WS-14 store down: handshakes get 503; open sockets are closed with 1013 after two failed re-checks', async () => {
    const store = flakyStore();
    const manager = createManager({ store });
    const { url } = await serve(manager, { revalidateIntervalMs: 50 });
    const { cookie } = await login(manager, 'carol');
    const open = await ready(url, { cookie });
    store.down = true;
    const { status, body } = await refusal(url, { cookie });
    assert.equal(status, 503);
    assert.equal(JSON.parse(body).error, 'ERR_REALTIME_STORE_UNAVAILABLE');
    assert.equal((await open.closed).code, CLOSE_CODES.TRY_AGAIN_LATER);
  });
});
