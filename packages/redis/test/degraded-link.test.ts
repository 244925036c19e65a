// A bad link between the app and Redis, made with the testkit's TCP proxy in front of the
// shared Redis: replies in small pieces, a connection that dies in the middle of a command, a
// link that stalls past the deadline (SF-09), and a login whose link drops between its two
// writes (LC-24). Every request answers 200 or 503, and what Redis holds is read back on a
// direct connection: the last good record or the new one, whole, never a mix.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redisStore } from '@coatcheck/redis';
import type { SessionRecord } from 'coatcheck/store-kit';
import { startTcpProxy } from '@coatcheck/testkit/tcp-proxy';
import { connectClient, eventually, REDIS_URL, uniquePrefix } from './fixtures/clients.js';
import { connectAny, isReady } from './fixtures/client-kind.js';
import { HTTPS, buildApp, errorCode, login, me } from './fixtures/http-app.js';

const target = new URL(REDIS_URL);
const proxy = await startTcpProxy({ target: { host: target.hostname, port: Number(target.port || 6379) } });
after(() => proxy.close());
const prefix = uniquePrefix('degraded');
const client = await connectAny(`redis://127.0.0.1:${proxy.port}`);
// The deadline is what the stalled link runs into; it leaves room for a 10 KB value sent 7
// bytes at a time on a loaded machine.
const { app, manager, logged } = await buildApp(redisStore({ client, prefix, opTimeoutMs: 2000, checkConfig: false }));
// What Redis holds, read past the proxy.
const direct = redisStore({ client: await connectClient(REDIS_URL, { cleanupPrefix: prefix }), prefix, checkConfig: false });

const idOf = (cookie: string): string => (cookie.split('=')[1] ?? '').split('.')[0] as string;
const stored = (cookie: string): Promise<SessionRecord | null> => direct.get(idOf(cookie), Date.now());
const addItem = (cookie: string | null, item: string) =>
  app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, ...(cookie ? { cookie } : {}) }, payload: { item } });
const ready = () => eventually('the store client reconnected', () => isReady(client), 20_000);

/** Asserts a refusal that leaves the cookie alone. */
function assertUnavailable(response: Awaited<ReturnType<typeof addItem>>): void {
  assert.equal(response.statusCode, 503, response.body);
  assert.equal(errorCode(response), 'ERR_SESSION_STORE_UNAVAILABLE');
  assert.equal(response.headers['set-cookie'], undefined);
}

describe('a degraded link to Redis', () => {
  it('SF-09 every byte in pieces of 7, both ways: sessions are written and read back whole', async () => {
    proxy.slice(7);
    try {
      const cookie = await login(app, 'sliced');
      const item = 'é'.repeat(5000);
      assert.equal((await addItem(cookie, item)).statusCode, 200);
      const answer = JSON.parse((await me(app, cookie)).body) as { userId: string; cart: string[] };
      assert.deepEqual([answer.userId, answer.cart], ['sliced', [item]]);
    } finally {
      proxy.slice(null);
    }
  });

  it('SF-09 the link dies in the middle of a 40 KB write: 503, and Redis still holds the last good record', async () => {
    await ready();
    const cookie = await login(app, 'cut');
    assert.equal((await addItem(cookie, 'first')).statusCode, 200);
    const good = await stored(cookie);
    // The read of the request fits; the update that follows is cut after half its bytes.
    proxy.cutAfter(20_000);
    assertUnavailable(await addItem(cookie, 'x'.repeat(40_000)));
    await ready();
    assert.deepEqual(await stored(cookie), good, 'no partial record: the old one, byte for byte');
    assert.equal((await addItem(cookie, 'second')).statusCode, 200, 'and the same cookie works');
    assert.deepEqual((await stored(cookie))?.data.cart, ['first', 'second']);
  });

  it('SF-09 a link that stalls past the deadline: 503 within it; afterwards Redis holds the old record or the new one, whole', async () => {
    await ready();
    const cookie = await login(app, 'stalled');
    const good = await stored(cookie);
    const item = 'y'.repeat(20_000);
    proxy.pause();
    try {
      assertUnavailable(await addItem(cookie, item));
    } finally {
      proxy.resume();
    }
    await ready();
    await eventually('the store answers again', async () => (await me(app, cookie)).statusCode === 200);
    const now = (await stored(cookie)) as SessionRecord;
    const whole = JSON.stringify(now.data) === JSON.stringify(good?.data) || JSON.stringify(now.data.cart) === JSON.stringify([item]);
    assert.ok(whole, `the data is one of the two writes: ${JSON.stringify(now.data).slice(0, 80)}`);
  });

  it('LC-24 the link drops between the two writes of a login: 503, no new cookie, the anonymous ticket keeps its cart and stays anonymous', async () => {
    await ready();
    const visit = await addItem(null, 'towel');
    const anonymous = String(visit.headers['set-cookie']).split(';')[0] as string;
    const before = await stored(anonymous);
    const stop = manager.onStoreCall(({ op, outcome }) => {
      // The new record is in Redis; the old one is not yet deleted.
      if (op === 'create' && outcome === 'ok') void proxy.disable();
    });
    let answer: Awaited<ReturnType<typeof addItem>>;
    try {
      answer = await app.inject({ method: 'POST', url: '/login', headers: { ...HTTPS, cookie: anonymous }, payload: { user: 'dropped' } });
    } finally {
      stop();
      await proxy.enable();
    }
    assertUnavailable(answer);
    await ready();
    assert.deepEqual(await stored(anonymous), before, 'the old record as it was');
    const back = JSON.parse((await me(app, anonymous)).body) as { userId: string | null; status: string; cart: string[] };
    assert.deepEqual([back.status, back.userId, back.cart], ['valid', null, ['towel']]);
    // The store was down for the clean-up too: the new record, whose ticket never left the
    // server, is reported and idles out.
    const [orphan, ...more] = await direct.listByUser('dropped', Date.now());
    assert.ok(orphan && more.length === 0);
    assert.ok(logged.some((line) => /rotation failed/.test(line)));
    assert.ok(orphan.expiresAt <= Date.now() + 30 * 60_000, 'it expires with the idle timeout');

    // The same login, once the link holds: the anonymous ticket is dead only now.
    const retried = await app.inject({ method: 'POST', url: '/login', headers: { ...HTTPS, cookie: anonymous }, payload: { user: 'dropped' } });
    assert.equal(retried.statusCode, 200);
    assert.equal(JSON.parse((await me(app, anonymous)).body).status, 'expired');
  });
});
