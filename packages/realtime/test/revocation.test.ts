// WS-04..WS-08: a socket never outlives its session. Logout and revocation close every
// socket of the session on every instance (two hubs and two managers on one Redis with
// redisBus) (the delay is measured and reported); a session that expires while its socket is open gets it closed;
// a busy socket keeps its session alive; a login rotation closes the old id's sockets.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { redisBus, redisStore } from '@coatcheck/redis';
import { createSessionManager, type SessionManager } from 'coatcheck';
import { CLOSE_CODES } from '@coatcheck/realtime';
import { createManager, login, ready, refusal, serve } from './helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisPair() {
  const prefix = `cc-rt-${randomBytes(4).toString('hex')}:`;
  const secrets = [randomBytes(32)];
  const instances: { client: ReturnType<typeof createClient>; bus: ReturnType<typeof redisBus>; manager: SessionManager }[] = [];
  for (let i = 0; i < 2; i++) {
    const client = createClient({ url: REDIS_URL }).on('error', () => {});
    await client.connect();
    const bus = redisBus({ client, prefix });
    await bus.ready;
    const manager = createSessionManager({ store: redisStore({ client, prefix }), bus, cache: true, secrets });
    instances.push({ client, bus, manager });
  }
  after(async () => {
    for (const { client, bus, manager } of instances) {
      await manager.close();
      await bus.close();
      client.destroy();
    }
  });
  return instances as [(typeof instances)[0], (typeof instances)[0]];
}

describe('revocation closes sockets', () => {
  it('WS-04 logout closes every socket of the session with 4401 and a session-ended notice; reconnect fails', async () => {
    const manager = createManager();
    const { url, hub } = await serve(manager);
    const { cookie } = await login(manager, 'alice');
    const tabs = [await ready(url, { cookie }), await ready(url, { cookie })];
    const other = await ready(url, { cookie: (await login(manager, 'alice')).cookie });
    await (await manager.load({ cookie, secure: false })).logout();
    for (const tab of tabs) {
      const closed = await tab.closed;
      assert.equal(closed.code, CLOSE_CODES.SESSION_REVOKED);
      assert.equal(closed.reason, 'logout');
      assert.deepEqual(tab.frames.at(-1), { type: 'session-ended', reason: 'logout' });
    }
    assert.equal(other.ws.readyState, 1, "the user's other session keeps its socket");
    assert.equal(hub.stats.revoked, 2);
    assert.equal((await refusal(url, { cookie })).status, 401, 'reconnecting with the dead cookie fails');
    other.ws.close();
  });

  it('WS-04 WS-05 revoke on instance A closes the sockets held on instance B (Redis bus; the delay is reported)', async (t) => {
    const [a, b] = await redisPair();
    await serve(a.manager);
    const onB = await serve(b.manager);
    const { cookie, id } = await login(a.manager, 'bob');
    const phone = await ready(onB.url, { cookie });
    const tablet = await ready(onB.url, { cookie });
    const started = performance.now();
    assert.equal(await a.manager.revokeSession('bob', id), true);
    const closes = await Promise.all([phone.closed, tablet.closed]);
    const elapsed = Math.max(...closes.map((c) => c.at)) - started;
    t.diagnostic(`revoke on A closed both sockets on B after ${elapsed.toFixed(2)} ms`);
    for (const c of closes) assert.equal(c.code, CLOSE_CODES.SESSION_REVOKED);
  });

  it('WS-05 "log out everywhere" on A closes the user\'s sockets of every session on B', async () => {
    const [a, b] = await redisPair();
    const onB = await serve(b.manager);
    const first = await login(a.manager, 'carol');
    const second = await login(b.manager, 'carol');
    const sockets = [await ready(onB.url, { cookie: first.cookie }), await ready(onB.url, { cookie: second.cookie })];
    const started = performance.now();
    await a.manager.revokeAllSessions('carol');
    const closes = await Promise.all(sockets.map((s) => s.closed));
    assert.ok(Math.max(...closes.map((c) => c.at)) - started < 100);
    assert.deepEqual(
      closes.map((c) => [c.code, c.reason]),
      [
        [4401, 'revoke-all'],
        [4401, 'revoke-all'],
      ],
    );
  });

  it('WS-06 a session that expires while its socket is open (no activity) gets the socket closed with 4440', async () => {
    const manager = createManager({ lifetime: { idleTimeout: 1, absoluteTimeout: 60 } });
    const { url } = await serve(manager);
    const { cookie } = await login(manager, 'dave');
    const socket = await ready(url, { cookie });
    const closed = await socket.closed;
    assert.equal(closed.code, CLOSE_CODES.SESSION_EXPIRED);
  });

  it('WS-06 a socket kept busy keeps its session from idling out; it still closes at the absolute limit', async () => {
    const manager = createManager({ lifetime: { idleTimeout: 2, absoluteTimeout: 4, touchAfter: 1 } });
    const { url } = await serve(manager, { touchIntervalMs: 100 });
    const { cookie, id } = await login(manager, 'erin');
    const socket = await ready(url, { cookie });
    const started = performance.now();
    const busy = setInterval(() => socket.ws.readyState === 1 && socket.ws.send(JSON.stringify({ type: 'message', data: 'ping' })), 50);
    try {
      // Well past the 2 s idle timeout: the session and socket are alive because of the traffic.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.equal(socket.ws.readyState, 1);
      assert.notEqual(await manager.peek(id), null);
      const closed = await socket.closed;
      assert.equal(closed.code, CLOSE_CODES.SESSION_EXPIRED);
      assert.ok(closed.at - started < 5500, 'closed by the absolute limit');
    } finally {
      clearInterval(busy);
    }
  });

  it("WS-08 a login on the same browser (ticket rotation) closes the old id's socket with 4409, never leaving it bound", async () => {
    const manager = createManager();
    const { url } = await serve(manager);
    const { cookie } = await login(manager, 'frank');
    const socket = await ready(url, { cookie });
    const session = await manager.load({ cookie, secure: false });
    await session.login('frank');
    assert.equal((await socket.closed).code, CLOSE_CODES.SESSION_ROTATED);
  });

  it('WS-15 a revocation the bus never announced is still caught by revalidation', async () => {
    const manager = createManager();
    const { url } = await serve(manager, { revalidateIntervalMs: 100 });
    const { cookie, id } = await login(manager, 'gina');
    const socket = await ready(url, { cookie });
    // Delete behind the manager's back: no event, no bus message.
    await manager.store.delete(id);
    const closed = await socket.closed;
    assert.equal(closed.code, CLOSE_CODES.SESSION_REVOKED);
  });
});
