// SF-02, SF-03, SF-04, SF-06, SF-07: a private Redis (AOF on, so a restart keeps the sessions) is
// killed under HTTP load and restarted. Requests answer 503 ERR_SESSION_STORE_UNAVAILABLE,
// never 500; the cookie is left alone; the app recovers by itself; the bulkhead holds.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { LightMyRequestResponse } from 'fastify';
import { redisStore } from '@coatcheck/redis';
import { useRedisServer } from './fixtures/redis-server.js';
import { eventually, uniquePrefix } from './fixtures/clients.js';
import { connectAny, isReady, type AnyClient } from './fixtures/client-kind.js';
import { HTTPS, buildApp, errorCode, login, me } from './fixtures/http-app.js';

const server = await useRedisServer(['--appendonly', 'yes', '--appendfsync', 'always']);
const prefix = uniquePrefix('outage');
const client = await connectAny(server.url);
const store = redisStore({ client, prefix, opTimeoutMs: 500, checkConfig: false });
const { app } = await buildApp(store);

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
after(() => void process.off('unhandledRejection', onUnhandled));

// Starts the server (if down) and waits until the store's client has reconnected to it.
async function restart(redis: AnyClient = client): Promise<void> {
  await server.start();
  await eventually('the client reconnected', () => isReady(redis), 30_000);
}

function assertUnavailable(response: LightMyRequestResponse): void {
  assert.equal(response.statusCode, 503, response.body);
  assert.equal(errorCode(response), 'ERR_SESSION_STORE_UNAVAILABLE');
  assert.equal(response.headers['set-cookie'], undefined, 'an outage never touches the cookie');
  assert.ok(!/at .*\.ts|redis:\/\/|127\.0\.0\.1/.test(response.body), 'no stack, address or driver detail in the body');
}

describe('Redis outage through HTTP', () => {
  it('SF-02 Redis killed under load: every request answers 200 or 503 ERR_SESSION_STORE_UNAVAILABLE, never 500, and nothing is left unhandled', async () => {
    await restart();
    const cookie = await login(app);
    // Only a bounded sample of responses is kept; every one is checked as it arrives.
    const before: LightMyRequestResponse[] = [];
    const during: LightMyRequestResponse[] = [];
    const statuses = new Set<number>();
    let killed = false;
    let stop = false;
    const worker = async (n: number): Promise<void> => {
      while (!stop) {
        const response =
          n % 2 === 0 ? await me(app, cookie) : await app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie }, payload: { item: `i${n}` } });
        statuses.add(response.statusCode);
        const bucket = killed ? during : before;
        if (bucket.length < 2000) bucket.push(response);
        // A store that fails at once settles requests in microtasks only; yield so timers run.
        await yieldToLoop();
      }
    };
    const workers = Array.from({ length: 16 }, (_, n) => worker(n));
    await eventually('the app serves the load', () => before.filter((r) => r.statusCode === 200).length >= 100);
    await server.kill();
    killed = true;
    await eventually('requests after the kill are answered', () => during.filter((r) => r.statusCode === 503).length >= 100);
    stop = true;
    await Promise.all(workers);

    assert.deepStrictEqual([...statuses].sort(), [200, 503]);
    for (const response of during.filter((r) => r.statusCode === 503)) assertUnavailable(response);
    // Routes that do not need the session keep working.
    assert.equal((await app.inject({ method: 'GET', url: '/public', headers: HTTPS })).statusCode, 200);
    assert.deepStrictEqual(unhandled, []);
  });

  it('SF-06 SF-03 an outage is not a logout: 503 without Set-Cookie, and once Redis is back on the same port the same cookie works again', async () => {
    await restart();
    const cookie = await login(app, 'bob');
    await app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie }, payload: { item: 'kept' } });
    await server.kill();
    assertUnavailable(await me(app, cookie));
    assertUnavailable(await app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie } }));

    await server.start();
    let recovered: LightMyRequestResponse | undefined;
    await eventually(
      'the same cookie is served again',
      async () => {
        recovered = await me(app, cookie);
        return recovered.statusCode === 200;
      },
      30_000,
      100,
    );
    assert.deepStrictEqual(JSON.parse(recovered?.body ?? '{}'), { userId: 'bob', status: 'valid', cart: ['kept'] });
    assert.equal(recovered?.headers['set-cookie'], undefined);
    assert.deepStrictEqual(unhandled, []);
  });

  it('SF-07 public pages survive an outage: cookie-less requests never reach the store', async () => {
    await restart();
    await server.kill();
    // With Redis down any store call would answer 503, so a 200 proves no call was made.
    const page = await app.inject({ method: 'GET', url: '/public', headers: HTTPS });
    assert.equal(page.statusCode, 200);
    const visitor = await app.inject({ method: 'GET', url: '/me', headers: HTTPS });
    assert.equal(visitor.statusCode, 200, visitor.body);
    assert.deepStrictEqual(JSON.parse(visitor.body), { userId: null, status: 'none', cart: [] });
    assert.equal(visitor.headers['set-cookie'], undefined);
    assert.equal(store.inFlight, 0);
    await restart();
  });

  it('SF-04 during an outage with the client’s offline queue on, 500 concurrent requests are all answered 503 and in-flight calls never exceed maxInFlight', async () => {
    await restart();
    // The client's default offline queue: commands issued while disconnected wait in it, so
    // only the store's bulkhead bounds them.
    const queueing = await connectAny(server.url, { offlineQueue: true });
    const bounded = redisStore({ client: queueing, prefix, opTimeoutMs: 300, maxInFlight: 20, checkConfig: false });
    const { app: boundedApp } = await buildApp(bounded);
    const cookie = await login(boundedApp, 'carol');
    await server.kill();

    let highest = 0;
    const sample = setInterval(() => (highest = Math.max(highest, bounded.inFlight)), 1);
    const responses = await Promise.all(
      Array.from({ length: 500 }, () =>
        me(boundedApp, cookie).then((response) => {
          highest = Math.max(highest, bounded.inFlight);
          return response;
        }),
      ),
    );
    clearInterval(sample);
    for (const response of responses) assertUnavailable(response);
    assert.ok(highest > 0, 'calls were in flight during the outage');
    assert.ok(highest <= 20, `in-flight calls reached ${highest}, above maxInFlight 20`);

    await server.start();
    await eventually('the queued calls drain once Redis is back', () => bounded.inFlight === 0, 30_000);
    await eventually('the session is served again', async () => (await me(boundedApp, cookie)).statusCode === 200, 30_000, 100);
    assert.deepStrictEqual(unhandled, []);
  });
});
