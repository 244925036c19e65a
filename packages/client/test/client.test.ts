// The browser client, run in Node 20 against a real hub with the `ws` package's WebSocket as
// its constructor: it reconnects (with backoff) after a server restart and rejoins its rooms,
// it reconnects after being rate limited, and it stops for good after a revocation close code.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { createSessionManager, type SessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { createHub, type Hub, type HubOptions } from '@coatcheck/realtime';
import { backoffDelay, createRealtimeClient, type RealtimeMessage, type WebSocketConstructor } from '@coatcheck/client';

const ORIGIN = 'http://app.test';
const quiet = { warn: () => {}, error: () => {} };

async function waitFor(what: string, check: () => boolean, capMs = 5000): Promise<void> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > capMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A browser-like WebSocket: the cookie jar and Origin a browser would add. */
function browserSocket(cookie: string): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie, origin: ORIGIN } });
    }
  } as unknown as WebSocketConstructor;
}

async function start(
  manager: SessionManager,
  port = 0,
  options: Partial<HubOptions> = {},
): Promise<{ hub: Hub; server: Server; port: number; stop(): Promise<void> }> {
  const hub = createHub({ manager, origins: [ORIGIN], logger: quiet, authorizeJoin: () => true, ...options });
  const server = createServer();
  hub.attach(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const stop = async () => {
    await hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { hub, server, port: (server.address() as AddressInfo).port, stop };
}

async function loggedIn(manager: SessionManager, userId: string): Promise<string> {
  const session = await manager.load({ cookie: null, secure: false });
  await session.login(userId);
  return ((await session.commit())[0] ?? '').split(';')[0] ?? '';
}

/** A client of `port` with `cookie` that records what it receives and every close; closed after the test file. */
function watchedClient(port: number, cookie: string) {
  const received: RealtimeMessage[] = [];
  const closes: { code: number; reason: string; willReconnect: boolean }[] = [];
  const client = createRealtimeClient({
    url: `ws://127.0.0.1:${port}/ws`,
    WebSocket: browserSocket(cookie),
    minDelayMs: 20,
    maxDelayMs: 200,
    onMessage: (m) => received.push(m),
    onClose: (e) => closes.push(e),
  });
  after(() => client.close());
  return { client, received, closes };
}

describe('@coatcheck/client', () => {
  it('backoff grows exponentially with jitter and is capped', () => {
    const low = (n: number) => backoffDelay(n, { minDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
    const high = (n: number) => backoffDelay(n, { minDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 });
    assert.deepEqual([0, 1, 2, 3, 10].map(low), [50, 100, 200, 400, 500]);
    assert.deepEqual([0, 1, 2, 3, 10].map(high), [100, 200, 400, 800, 1000]);
  });

  it('WS-04 reconnects after a server restart and rejoins its rooms', async () => {
    const manager = createSessionManager({ store: memoryStore(), secrets: [randomBytes(32)] });
    let server = await start(manager);
    const port = server.port;
    const cookie = await loggedIn(manager, 'alice');
    const { client, received, closes } = watchedClient(port, cookie);
    client.join('lobby');
    await waitFor('open', () => client.state === 'open');
    await waitFor('joined', () => server.hub.connections({ room: 'lobby' }).length === 1);

    await server.stop();
    await waitFor('the client to notice', () => closes.length === 1);
    assert.equal(closes[0]?.code, 1001);
    assert.equal(closes[0]?.willReconnect, true);
    server = await start(manager, port);
    after(() => server.stop());
    await waitFor('reconnected and rejoined', () => client.state === 'open' && server.hub.connections({ room: 'lobby' }).length === 1);
    server.hub.send({ room: 'lobby' }, 'after restart');
    await waitFor('the room message', () => received.length === 1);
    assert.deepEqual(received[0], { type: 'message', scope: 'room', room: 'lobby', data: 'after restart' });
  });

  it('WS-04 does not reconnect after a revocation close code', async () => {
    const manager = createSessionManager({ store: memoryStore(), secrets: [randomBytes(32)] });
    const server = await start(manager);
    after(() => server.stop());
    const cookie = await loggedIn(manager, 'bob');
    let attempts = 0;
    const Base = browserSocket(cookie);
    const Counting = class extends (Base as unknown as typeof WebSocket) {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        attempts++;
      }
    } as unknown as WebSocketConstructor;
    const closes: { code: number; reason: string; willReconnect: boolean }[] = [];
    const client = createRealtimeClient({
      url: `ws://127.0.0.1:${server.port}/ws`,
      WebSocket: Counting,
      minDelayMs: 10,
      maxDelayMs: 20,
      onClose: (e) => closes.push(e),
    });
    await waitFor('open', () => client.state === 'open');
    await (await manager.load({ cookie, secure: false })).logout();
    await waitFor('closed', () => client.state === 'closed');
    assert.deepEqual(closes, [{ code: 4401, reason: 'logout', willReconnect: false }]);
    // Several backoff periods later, still exactly one attempt.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(attempts, 1);
    assert.equal(server.hub.stats.refused, 0);
  });

  it('WS-13 reconnects after a rate-limit close (4008) instead of stopping, and keeps its rooms', async () => {
    const manager = createSessionManager({ store: memoryStore(), secrets: [randomBytes(32)] });
    const server = await start(manager, 0, { maxMessagesPerSecond: 5, messageBurst: 10 });
    after(() => server.stop());
    const cookie = await loggedIn(manager, 'carol');
    const { client, received, closes } = watchedClient(server.port, cookie);
    client.join('lobby');
    await waitFor('open', () => client.state === 'open');
    // An application bug: a send loop far over the hub's limit.
    let sent = 0;
    while (sent < 1000 && client.send(sent)) sent++;
    await waitFor('the rate-limit close', () => closes.length === 1);
    assert.deepEqual(closes, [{ code: 4008, reason: 'rate limit exceeded', willReconnect: true }]);
    await waitFor('reconnected and rejoined', () => client.state === 'open' && server.hub.connections({ room: 'lobby' }).length === 1);
    assert.equal(server.hub.stats.rateLimited, 1);
    assert.equal(server.hub.stats.connections, 1);
    server.hub.send({ room: 'lobby' }, 'welcome back');
    await waitFor('the room message', () => received.length === 1);
    assert.equal(received[0]?.data, 'welcome back');
  });

  it('gives up after maxAttempts handshakes that never got ready (a refused, logged-out cookie)', async () => {
    const manager = createSessionManager({ store: memoryStore(), secrets: [randomBytes(32)] });
    const server = await start(manager);
    after(() => server.stop());
    const closes: { code: number; willReconnect: boolean }[] = [];
    const client = createRealtimeClient({
      url: `ws://127.0.0.1:${server.port}/ws`,
      WebSocket: browserSocket('coatcheck=forged'),
      minDelayMs: 5,
      maxDelayMs: 10,
      maxAttempts: 3,
      onClose: (e) => closes.push(e),
    });
    await waitFor('the client to give up', () => client.state === 'closed');
    assert.deepEqual(
      closes.map((c) => c.willReconnect),
      [true, true, false],
    );
    assert.equal(server.hub.stats.refused, 3);
  });
});
