// SF-08, SF-04: a frozen Redis (SIGSTOP: sockets stay open, nothing is answered) must not
// freeze the app. Every request answers 503 after about opTimeoutMs, the bulkhead caps the
// calls waiting on Redis, and after SIGCONT the same cookie works again.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { isSessionError } from 'coatcheck';
import { buildRecord } from '@coatcheck/conformance';
import { redisStore } from '@coatcheck/redis';
import { useRedisServer } from './fixtures/redis-server.js';
import { eventually, uniquePrefix } from './fixtures/clients.js';
import { connectAny } from './fixtures/client-kind.js';
import { HTTPS, buildApp, errorCode, login, me } from './fixtures/http-app.js';

const server = await useRedisServer();
after(() => server.resume());
const client = await connectAny(server.url);
const store = redisStore({ client, prefix: uniquePrefix('frozen'), opTimeoutMs: 200, maxInFlight: 50, checkConfig: false });
const { app } = await buildApp(store);

function assertUnavailable(response: LightMyRequestResponse): void {
  assert.equal(response.statusCode, 503, response.body);
  assert.equal(errorCode(response), 'ERR_SESSION_STORE_UNAVAILABLE');
  assert.equal(response.headers['set-cookie'], undefined);
}

describe('frozen Redis (SIGSTOP)', () => {
  it('SF-08 requests answer 503 ERR_SESSION_STORE_UNAVAILABLE while Redis is frozen, and the same cookie works after SIGCONT', async () => {
    const cookie = await login(app);
    server.pause();
    try {
      assertUnavailable(await me(app, cookie));
      assertUnavailable(await app.inject({ method: 'POST', url: '/cart', headers: HTTPS }));
    } finally {
      server.resume();
    }
    await eventually('the session is served again', async () => (await me(app, cookie)).statusCode === 200, 20_000, 50);
    const body = JSON.parse((await me(app, cookie)).body) as { userId: string; status: string };
    assert.deepStrictEqual([body.userId, body.status], ['alice', 'valid']);
  });

  it('SF-08 every store call rejects with a SessionStoreError (timeout) instead of hanging', async () => {
    const record = buildRecord({ userId: 'dave' });
    assert.equal(await store.create(record), true);
    server.pause();
    try {
      const now = Date.now();
      const calls: [string, Promise<unknown>][] = [
        ['get', store.get(record.id, now)],
        ['create', store.create(buildRecord())],
        ['touch', store.touch(record.id, now, now + 60_000, now)],
        ['delete', store.delete(record.id)],
        ['listByUser', store.listByUser('dave', now)],
        ['deleteByUser', store.deleteByUser('dave')],
        ['prune', store.prune(now)],
        ['ping', store.ping()],
      ];
      // Settled together: each call has its handler from the start, so one that times out while
      // an earlier one is still being awaited is not an unhandled rejection.
      const outcomes = await Promise.allSettled(calls.map(([, call]) => call));
      outcomes.forEach((outcome, index) => {
        const name = calls[index]![0];
        assert.equal(outcome.status, 'rejected', `${name} resolved while Redis was frozen`);
        const error: unknown = (outcome as PromiseRejectedResult).reason;
        assert.ok(isSessionError(error), `${name}: ${String(error)}`);
        assert.equal(error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
        assert.match(error.message, /timed out/);
      });
    } finally {
      server.resume();
    }
    await eventually('calls drain after SIGCONT', () => store.inFlight === 0);
    assert.deepStrictEqual((await store.get(record.id, Date.now()))?.id, undefined, 'the delete sent during the freeze ran once Redis resumed');
  });

  it('SF-04 SF-08 300 concurrent requests against a frozen Redis are all answered 503, with in-flight calls capped at maxInFlight', async () => {
    const cookie = await login(app, 'erin');
    server.pause();
    let highest = 0;
    let responses: LightMyRequestResponse[];
    try {
      responses = await Promise.all(
        Array.from({ length: 300 }, async () => {
          const response = await me(app, cookie);
          highest = Math.max(highest, store.inFlight);
          return response;
        }),
      );
      highest = Math.max(highest, store.inFlight);
    } finally {
      server.resume();
    }
    for (const response of responses) assertUnavailable(response);
    assert.ok(highest >= 1, 'calls were waiting on the frozen server');
    assert.ok(highest <= 50, `in-flight calls reached ${highest}, above maxInFlight 50`);
    await eventually('calls drain after SIGCONT', () => store.inFlight === 0);
    await eventually('the session is served again', async () => (await me(app, cookie)).statusCode === 200);
  });
});
