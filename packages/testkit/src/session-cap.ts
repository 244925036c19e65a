/**
 * The per-user session cap across instances, run by each shared store's tests (LC-21, AB-08):
 * a flood of logins to one account spread over several managers on one backend, each with
 * its own store, bus and cache. With `evictOldest` the backend ends with exactly `max` live
 * sessions, and every other session is revoked once, reported, recorded and dropped from
 * every instance's cache by the bus; with `reject` exactly `max` logins succeed and the rest
 * are refused, their anonymous sessions untouched.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SessionLimitError, type SessionManager } from 'coatcheck';
import { waitFor } from './wait-for.js';

/** What both checks take: managers built with `maxSessionsPerUser: { max, policy }` on one backend. */
export interface CapFlood {
  readonly managers: readonly SessionManager[];
  /** The managers' `maxSessionsPerUser.max`. */
  readonly max: number;
  /** Logins in all, spread evenly over the managers. @default 20 */
  readonly logins?: number;
}

const sorted = (ids: readonly string[]): string[] => [...ids].sort();
const request = (i: number) => ({ secure: true, userAgent: `device-${i}`, ip: '192.0.2.1' });

async function liveIds(manager: SessionManager, userId: string): Promise<string[]> {
  return sorted((await manager.listSessions(userId)).map((session) => session.id));
}

/** A session is loadable on a manager: it reads as `valid` and signed in as `userId`. */
async function loadsAs(manager: SessionManager, id: string, userId: string | null): Promise<boolean> {
  const session = await manager.loadById(id);
  return session.status === 'valid' && session.userId === userId;
}

/**
 * `evictOldest`: every login succeeds on a fresh anonymous handle; `max` sessions stay, on
 * every manager's list; every other one was revoked exactly once (`revoked`, reason
 * `session-limit`), is in the history as revoked by `system`, and no manager loads it any more.
 */
export async function checkCapEvicts({ managers, max, logins = 20 }: CapFlood): Promise<void> {
  const userId = `user-${randomBytes(6).toString('hex')}`;
  const revoked: string[] = [];
  const reasons = new Set<string>();
  for (const manager of managers) {
    manager.events.on('revoked', (event) => {
      if (event.userId !== userId) return;
      reasons.add(event.reason);
      revoked.push(...event.ids);
    });
  }
  const created = await Promise.all(
    Array.from({ length: logins }, async (_, i) => {
      const manager = managers[i % managers.length] as SessionManager;
      const session = await manager.loadById(null, request(i));
      await session.login(userId);
      await session.commit();
      assert.ok(session.id !== null);
      return session.id;
    }),
  );

  assert.deepStrictEqual([...reasons], ['session-limit']);
  const live = await liveIds(managers[0] as SessionManager, userId);
  assert.equal(live.length, max, `live sessions: ${live.length}`);
  for (const manager of managers) assert.deepStrictEqual(await liveIds(manager, userId), live);
  // Every session a login created is live or was revoked, and none was revoked twice.
  assert.deepStrictEqual(sorted([...live, ...revoked]), sorted(created));

  for (const manager of managers) {
    for (const id of live) assert.ok(await loadsAs(manager, id, userId), 'a live session still loads');
    // The bus tells every instance; its cache may serve an evicted session until then.
    for (const id of revoked) await waitFor(`session ${id} to be refused`, async () => !(await loadsAs(manager, id, userId)), 30_000);
  }

  const history = await (managers[0] as SessionManager).history({ userId }, { limit: 1000 });
  const recorded = history.filter((entry) => entry.type === 'revoked').map((entry) => ({ id: entry.sessionId, actor: entry.actor, reason: entry.reason }));
  assert.deepStrictEqual(
    recorded.sort((a, b) => (a.id < b.id ? -1 : 1)),
    sorted(revoked).map((id) => ({ id, actor: 'system', reason: 'session-limit' })),
  );
}

/**
 * `reject`: each login runs on an anonymous session that holds data; exactly `max` succeed,
 * the rest throw `SessionLimitError` (`ERR_SESSION_LIMIT_REACHED`) and leave their anonymous
 * session exactly as it was, on every manager; nothing is revoked.
 */
export async function checkCapRejects({ managers, max, logins = 20 }: CapFlood): Promise<void> {
  const userId = `user-${randomBytes(6).toString('hex')}`;
  let revocations = 0;
  for (const manager of managers) manager.events.on('revoked', () => revocations++);
  const anonymous = await Promise.all(
    Array.from({ length: logins }, async (_, i) => {
      const session = await (managers[i % managers.length] as SessionManager).load(request(i));
      session.set('cart', `cart-${i}`);
      await session.commit();
      assert.ok(session.id !== null);
      return session.id;
    }),
  );

  const outcomes = await Promise.allSettled(
    anonymous.map(async (id, i) => {
      const session = await (managers[i % managers.length] as SessionManager).loadById(id, request(i));
      await session.login(userId);
      await session.commit();
      return session.id;
    }),
  );
  const succeeded = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' && outcome.value !== null ? [outcome.value] : []));
  const refused = anonymous.filter((_, i) => outcomes[i]?.status === 'rejected');
  assert.equal(succeeded.length, max, `logins that succeeded: ${succeeded.length}`);
  assert.equal(refused.length, logins - max);
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') continue;
    assert.ok(outcome.reason instanceof SessionLimitError, `refused with ${String(outcome.reason)}`);
    assert.equal(outcome.reason.code, 'ERR_SESSION_LIMIT_REACHED');
  }

  for (const manager of managers) {
    assert.deepStrictEqual(await liveIds(manager, userId), sorted(succeeded));
    for (const id of refused) {
      const session = await manager.loadById(id);
      assert.equal(session.status, 'valid', 'a refused login keeps its anonymous session');
      assert.equal(session.userId, null);
      assert.equal(session.get('cart'), `cart-${anonymous.indexOf(id)}`);
    }
  }
  assert.equal(revocations, 0, 'a refusal ends nothing');
}
