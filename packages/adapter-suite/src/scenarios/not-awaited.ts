// A handler that forgets `await` on login() or logout(): the response still carries the
// outcome (new or cleared cookie), nothing is lost or orphaned, and the manager logs it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { buildHarness, cookiePair, HTTPS, slowStore, ticketId, type AppFactory } from '../harness.js';

interface Logged {
  message: string;
  context: Record<string, unknown> | undefined;
}

/** A harness on a store that answers on later event-loop turns, with a recording logger. */
async function build(factory: AppFactory) {
  const logged: Logged[] = [];
  const logger: Logger = { warn() {}, error: (message, context) => void logged.push({ message, context }) };
  const harness = await buildHarness(factory, { logger }, slowStore(memoryStore({ sweepIntervalMs: 0, quiet: true })));
  return { ...harness, logged };
}

function assertReported(logged: Logged[], method: string): void {
  const reports = logged.filter((entry) => entry.context?.code === 'ERR_SESSION_NOT_AWAITED');
  assert.deepEqual(
    reports.map((entry) => entry.context?.method),
    [method],
    JSON.stringify(logged.map((entry) => entry.message)),
  );
  assert.ok(reports[0]?.message.includes(`await session.${method}(`));
}

export function notAwaitedScenarios(factory: AppFactory): void {
  describe('lifecycle calls without await', () => {
    it('NA-01 un-awaited login: new cookie, cart kept under the new ticket, one session, error logged', async () => {
      const { app, manager, store, clock, logged } = await build(factory);
      const anonymous = cookiePair(await app.request({ method: 'POST', path: '/cart', headers: HTTPS, json: { item: 'apple' } }));
      const res = await app.request({ method: 'POST', path: '/login-unawaited', headers: { ...HTTPS, cookie: anonymous }, json: { user: 'alice' } });
      assert.equal(res.status, 200, res.body);
      const rotated = cookiePair(res);
      assert.notEqual(rotated, anonymous);
      const me = await app.request({ path: '/me', headers: { ...HTTPS, cookie: rotated } });
      assert.deepEqual(me.json(), { userId: 'alice', status: 'valid', cart: ['apple'] });
      assert.equal(await store.get(ticketId(anonymous), clock.now()), null);
      const devices = await manager.listSessions('alice');
      assert.deepEqual(
        devices.map((device) => device.id),
        [ticketId(rotated)],
      );
      assertReported(logged, 'login');
    });

    it('NA-02 un-awaited logout: the cookie is cleared and the record is gone, error logged', async () => {
      const { app, manager, store, clock, logged } = await build(factory);
      const cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS, json: { user: 'bob' } }));
      assert.deepEqual(logged, []);
      const res = await app.request({ method: 'POST', path: '/logout-unawaited', headers: { ...HTTPS, cookie } });
      assert.equal(res.status, 200, res.body);
      assert.equal(res.cookies.length, 1);
      assert.match(res.cookies[0] as string, /^__Host-sid=;.*Max-Age=0/i);
      assert.equal(await store.get(ticketId(cookie), clock.now()), null);
      assert.deepEqual(await manager.listSessions('bob'), []);
      assertReported(logged, 'logout');
    });
  });
}
