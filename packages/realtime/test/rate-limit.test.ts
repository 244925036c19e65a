// WS-13: every socket has an inbound token bucket. A client that floods is closed with 4008
// and counted, the frames past the limit never reach the application, and the user's other
// sockets carry on; a client that stays under the rate is never closed; bad limits fail at
// start-up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionConfigError } from 'coatcheck';
import { createHub, CLOSE_CODES, type HubOptions, type VerifyBearer } from '@coatcheck/realtime';
import { connect, createManager, login, ORIGIN, quiet, ready, serve, waitFor, type TestClient } from './helpers.js';

/** A logger that keeps its warnings. */
function recordingLogger(): {
  warn(message: string, context?: Record<string, unknown>): void;
  error(): void;
  warnings: { message: string; context?: Record<string, unknown> }[];
} {
  const warnings: { message: string; context?: Record<string, unknown> }[] = [];
  return { warnings, warn: (message, context) => void warnings.push({ message, context }), error: () => {} };
}

/** The close code of `client`; fails, instead of hanging, if the hub never closes it. */
async function closeCode(client: TestClient, capMs = 10_000): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the hub did not close the socket')), capMs);
  });
  try {
    return (await Promise.race([client.closed, cap])).code;
  } finally {
    clearTimeout(timer);
  }
}

/** Sends `frame` and waits for the reply of `type`, so at most one frame is in flight. */
async function roundTrip(client: TestClient, frame: unknown, type: string): Promise<void> {
  const before = client.frames.filter((f) => f.type === type).length;
  client.ws.send(JSON.stringify(frame));
  await waitFor(`a ${type} reply`, () => client.frames.filter((f) => f.type === type).length > before);
}

describe('message rate limit', () => {
  it('WS-13 a client sending 1 000 messages as fast as it can is closed with 4008; the hub stays healthy', async () => {
    const manager = createManager();
    const logger = recordingLogger();
    const handled: number[] = [];
    // Default limits: 50 messages a second, bursts of 100.
    const { url, hub } = await serve(manager, { logger, onMessage: () => void handled.push(performance.now()) });
    const { cookie } = await login(manager, 'alice');
    const flood = await ready(url, { cookie });
    const bystander = await ready(url, { cookie });

    for (let i = 0; i < 1000; i++) flood.ws.send(JSON.stringify({ type: 'message', data: i }));
    assert.equal(await closeCode(flood), CLOSE_CODES.RATE_LIMITED);

    // The burst was served, the rest never reached onMessage: at most what the bucket held
    // plus what it refilled between the first and the last message handled.
    const count = handled.length;
    assert.ok(count >= 100, `the burst of 100 was handled (${count})`);
    const refilled = (50 * ((handled.at(-1) ?? 0) - (handled[0] ?? 0))) / 1000;
    assert.ok(count <= 100 + Math.ceil(refilled) + 1, `${count} handled, bucket allows ${100 + refilled}`);
    assert.ok(count < 1000);

    assert.equal(hub.stats.rateLimited, 1);
    assert.equal(logger.warnings.length, 1, 'logged once for the socket, not once per dropped frame');
    assert.match(logger.warnings[0]?.message ?? '', /maxMessagesPerSecond/);
    assert.equal(logger.warnings[0]?.context?.userId, 'alice');

    // The same user's other socket still works, and so does a new one.
    await waitFor('the flooding socket to be gone', () => hub.stats.connections === 1);
    await roundTrip(bystander, { type: 'heartbeat' }, 'heartbeat');
    assert.equal(hub.send({ userId: 'alice' }, 'still here'), 1);
    assert.equal((await bystander.next('message')).data, 'still here');
    const again = await ready(url, { cookie });
    await roundTrip(again, { type: 'heartbeat' }, 'heartbeat');
    assert.equal(handled.length, count, 'nothing of the flood was handled after the close');
    assert.equal(hub.stats.rateLimited, 1);
    for (const c of [bystander, again]) c.ws.close();
  });

  it('WS-13 a client that stays under the rate is never closed, whatever it sends', async () => {
    const manager = createManager();
    // Burst 1: every frame must be paid for by the refill since the previous one.
    const { url, hub } = await serve(manager, {
      maxMessagesPerSecond: 200,
      messageBurst: 1,
      authorizeJoin: () => true,
      onMessage: (connection, data) => void connection.send(data),
    });
    const { cookie } = await login(manager, 'bob');
    const client = await ready(url, { cookie });
    // One frame in flight, then a pause of three refill periods (5 ms each): whenever the hub
    // gets to a frame, at least 15 ms passed since it handled the previous one.
    const frames: [unknown, string][] = [
      [{ type: 'message', data: 'hi' }, 'message'],
      [{ type: 'join', room: 'lobby' }, 'joined'],
      [{ type: 'heartbeat' }, 'heartbeat'],
      [{ type: 'leave', room: 'lobby' }, 'left'],
    ];
    for (let i = 0; i < 60; i++) {
      const [frame, reply] = frames[i % frames.length]!;
      await roundTrip(client, frame, reply);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    assert.equal(client.ws.readyState, 1);
    assert.equal(hub.stats.rateLimited, 0);
    assert.equal(client.frames.filter((f) => f.type === 'message').length, 15, 'every message was handled');
    client.ws.close();
  });

  it('WS-13 frames before authentication count too: an auth flood is closed, and reaches the verifier once', async () => {
    const manager = createManager();
    let calls = 0;
    const pending: (() => void)[] = [];
    // A verifier that answers only when the test lets it, as a slow token service would.
    const verifyBearer: VerifyBearer = () => {
      calls++;
      return new Promise((resolve) => pending.push(() => resolve(null)));
    };
    const { url, hub } = await serve(manager, { verifyBearer, authTimeoutMs: 10_000, maxMessagesPerSecond: 10, messageBurst: 20 });
    const client = connect(url, { origin: null });
    await new Promise((resolve) => client.ws.once('open', resolve));
    for (let i = 0; i < 1000; i++) client.ws.send('{"type":"auth","token":"a.b.c"}');
    assert.equal(await closeCode(client), CLOSE_CODES.RATE_LIMITED);
    // One auth is verified at a time; the ones sent meanwhile are ignored, and still paid for.
    assert.equal(calls, 1, `${calls} verifications for 1 000 auth frames`);
    assert.equal(hub.stats.rateLimited, 1);
    for (const answer of pending) answer();
  });

  it('WS-13 bad maxMessagesPerSecond or messageBurst values fail at start-up with a message naming the option', () => {
    const manager = createManager();
    const bad: [Partial<HubOptions>, RegExp][] = [
      [{ maxMessagesPerSecond: 0 }, /maxMessagesPerSecond must be an integer from 1/],
      [{ maxMessagesPerSecond: -5 }, /maxMessagesPerSecond/],
      [{ maxMessagesPerSecond: 2.5 }, /maxMessagesPerSecond/],
      [{ maxMessagesPerSecond: Number.NaN }, /maxMessagesPerSecond/],
      [{ maxMessagesPerSecond: Number.POSITIVE_INFINITY }, /maxMessagesPerSecond/],
      [{ maxMessagesPerSecond: '100' as unknown as number }, /maxMessagesPerSecond.*got 100/],
      [{ messageBurst: 0 }, /messageBurst must be an integer from 1/],
      [{ messageBurst: 0.5 }, /messageBurst/],
      [{ maxMessagesPerSecond: 10, messageBurst: -1 }, /messageBurst/],
    ];
    for (const [options, message] of bad) {
      assert.throws(
        () => createHub({ manager, origins: [ORIGIN], logger: quiet, ...options }),
        (error: unknown) => error instanceof SessionConfigError && error.code === 'ERR_SESSION_INVALID_OPTION' && message.test(error.message),
        JSON.stringify(options),
      );
    }
    // The smallest limits are valid: one frame a second, no burst beyond it.
    const hub = createHub({ manager, origins: [ORIGIN], logger: quiet, maxMessagesPerSecond: 1, messageBurst: 1 });
    void hub.close();
  });
});
