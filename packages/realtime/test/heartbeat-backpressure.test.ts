// WS-16: silent peers are reaped after the stale window and counted; heartbeats are answered.
// WS-13/backpressure: a slow reader is dropped once its buffer passes the cap, so it cannot
// grow the server's memory. Groups: per-user and room broadcasts, locally and across hubs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { memoryBus } from 'coatcheck/bus';
import { memoryStore } from 'coatcheck/memory';
import { CLOSE_CODES } from '@coatcheck/realtime';
import { createManager, login, ready, serve, waitFor } from './helpers.js';
import { randomBytes } from 'node:crypto';

describe('heartbeat', () => {
  it('WS-16 a peer that stops answering pings is terminated after the stale window and counted', async () => {
    const manager = createManager();
    // Windows wide enough that the live client's automatic pong is never late on a loaded
    // machine: only the deaf one may be reaped.
    const { url, hub } = await serve(manager, { heartbeatIntervalMs: 200, staleAfterMs: 1500 });
    const { cookie } = await login(manager, 'alice');
    const alive = await ready(url, { cookie });
    // autoPong off: this client is connected but deaf, like a peer behind a dead network.
    const dead = await ready(url, { cookie, options: { autoPong: false } });
    const started = performance.now();
    await dead.closed;
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 1000, `reaped after ${elapsed} ms, not before the window`);
    assert.equal(hub.stats.reaped, 1);
    // The live one (pongs automatically) is still there a whole window later.
    await new Promise((resolve) => setTimeout(resolve, 1600));
    assert.equal(alive.ws.readyState, 1);
    assert.equal(hub.stats.connections, 1);
    alive.ws.close();
  });

  it('WS-16 the application heartbeat {"type":"heartbeat"} is answered and counts as life', async () => {
    const manager = createManager();
    const { url } = await serve(manager);
    const client = await ready(url, { cookie: (await login(manager, 'bob')).cookie });
    client.ws.send('{"type":"heartbeat"}');
    await client.next('heartbeat');
    client.ws.send('not json');
    assert.equal((await client.next('error')).code, 'ERR_REALTIME_BAD_MESSAGE');
    client.ws.close();
  });
});

describe('backpressure', () => {
  it('WS-13 a slow reader is dropped once its send buffer passes maxBufferedBytes; memory stays bounded', async () => {
    const manager = createManager();
    const cap = 256 * 1024;
    const { url, hub } = await serve(manager, { maxBufferedBytes: cap });
    const { cookie } = await login(manager, 'carol');
    const slow = await ready(url, { cookie });
    const fast = await ready(url, { cookie });
    // Stop reading: the kernel buffers fill, then the server's user-space buffer grows.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const chunk = 'x'.repeat(16 * 1024);
    let maxBuffered = 0;
    for (let i = 0; i < 2000 && hub.stats.slowConsumers === 0; i++) {
      hub.send({ userId: 'carol' }, chunk);
      for (const c of hub.connections({ userId: 'carol' })) maxBuffered = Math.max(maxBuffered, c.bufferedAmount);
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(hub.stats.slowConsumers, 1);
    assert.ok(maxBuffered <= cap + chunk.length + 64, `buffered at most ${maxBuffered} bytes`);
    await waitFor('the slow socket to be gone', () => hub.stats.connections === 1);
    assert.equal(fast.ws.readyState, 1, 'the fast reader keeps its socket');
    fast.ws.close();
  });
});

describe('groups', () => {
  it('per-user messages reach every socket of the user on every hub; rooms need authorizeJoin', async () => {
    const bus = memoryBus();
    const secrets = [randomBytes(32)];
    const store = memoryStore();
    const managerA = createManager({ store, bus, secrets });
    const managerB = createManager({ store, bus, secrets });
    const a = await serve(managerA, { authorizeJoin: (_c, room) => room === 'lobby' });
    const b = await serve(managerB, { authorizeJoin: (_c, room) => room === 'lobby' });
    const phone = await ready(a.url, { cookie: (await login(managerA, 'dan')).cookie });
    const laptop = await ready(b.url, { cookie: (await login(managerB, 'dan')).cookie });
    const stranger = await ready(b.url, { cookie: (await login(managerB, 'eve')).cookie });
    assert.equal(await a.hub.publish({ userId: 'dan' }, { cart: ['apple'] }), 1);
    for (const socket of [phone, laptop]) assert.deepEqual(await socket.next('message'), { type: 'message', scope: 'user', data: { cart: ['apple'] } });
    stranger.ws.send(JSON.stringify({ type: 'join', room: 'lobby' }));
    await stranger.next('joined');
    phone.ws.send(JSON.stringify({ type: 'join', room: 'admins' }));
    assert.equal((await phone.next('error')).code, 'ERR_REALTIME_JOIN_DENIED');
    await a.hub.publish({ room: 'lobby' }, 'hello lobby');
    assert.deepEqual(await stranger.next('message'), { type: 'message', scope: 'room', room: 'lobby', data: 'hello lobby' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(phone.frames.filter((f) => f.type === 'message').length, 1, 'non-members get nothing');
    assert.equal(CLOSE_CODES.GOING_AWAY, 1001);
    for (const s of [phone, laptop, stranger]) s.ws.close();
  });
});
