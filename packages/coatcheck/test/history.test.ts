// The session history through the manager: what each lifecycle call records, who is named as
// its actor, that a read-only request writes nothing, retention, and the option's errors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionConfigError, createSessionManager } from '../src/index.js';
import type { SessionStore } from '../src/store-kit/index.js';
import { memoryStore } from '../src/store/memory-store.js';
import { HTTPS, STORES, pair, setup } from './helpers/manager-setup.js';

const DAY = 86_400_000;
const FROM = (ip: string, userAgent = 'Firefox/1') => ({ ...HTTPS, ip, userAgent });
const kinds = (entries: readonly { type: string }[]) => entries.map((entry) => entry.type);

for (const [name, makeStore] of STORES) {
  describe(`session history (${name} store)`, () => {
    it('records a login, a step-up, a rotation and a logout, newest first, across the tickets', async () => {
      const t = setup(makeStore(), { history: { retention: '7d' } });
      const visit = await t.manager.load(FROM('10.0.0.1'));
      await visit.login('alice');
      const first = visit.id as string;
      let cookie = pair(await visit.commit());
      t.advance(1000);
      const again = await t.manager.load({ ...FROM('10.0.0.1'), cookie });
      await again.login('alice');
      await again.regenerate();
      cookie = pair(await again.commit());
      const last = again.id as string;
      t.advance(1000);
      const bye = await t.manager.load({ ...FROM('10.0.0.1'), cookie });
      await bye.logout();
      await bye.commit();

      const history = await t.manager.history({ sessionId: last });
      assert.deepEqual(kinds(history), ['revoked', 'rotated', 'step_up', 'created']);
      const [revoked, rotated, stepUp, created] = history;
      assert.deepEqual([revoked?.actor, revoked?.reason, revoked?.ip], ['user', 'logout', '10.0.0.1']);
      assert.equal(rotated?.previousId, stepUp?.sessionId);
      assert.equal(stepUp?.previousId, first);
      assert.deepEqual([created?.sessionId, created?.previousId, created?.userAgent], [first, null, 'Firefox/1']);
      assert.equal(created?.expiresAt, (created?.at as number) + 7 * DAY);
      assert.deepEqual(kinds(await t.manager.history({ userId: 'alice' }, { limit: 2 })), ['revoked', 'rotated']);
      // The secret never reaches the history: only public ids.
      assert.ok(!JSON.stringify(history).includes(cookie.split('=')[1] as string));
    });

    it('an anonymous session logging in is upgraded; it had no history before', async () => {
      const t = setup(makeStore(), { history: true });
      const session = await t.manager.load(HTTPS);
      session.set('cart', ['tea']);
      await session.commit();
      const anonymous = session.id as string;
      assert.deepEqual(await t.manager.history({ sessionId: anonymous }), []);
      const visit = await t.manager.loadById(anonymous);
      await visit.login('frank');
      const [upgraded] = await t.manager.history({ userId: 'frank' });
      assert.deepEqual([upgraded?.type, upgraded?.previousId, upgraded?.reason], ['upgraded', anonymous, 'login']);
    });

    it('names who revoked: the user from their device list, an admin, the app', async () => {
      const t = setup(makeStore(), { history: true });
      const ids: string[] = [];
      const cookies: string[] = [];
      for (let i = 0; i < 4; i++) {
        const session = await t.manager.load(FROM(`10.0.0.${i}`));
        await session.login('bob');
        cookies.push(pair(await session.commit()));
        ids.push(session.id as string);
      }
      const own = await t.manager.load({ ...FROM('10.0.0.0'), cookie: cookies[0] });
      assert.equal(await own.revokeDevice(ids[1] as string), true);
      await own.commit();
      assert.equal(await t.manager.revokeSession('bob', ids[2] as string, { actor: 'admin:7' }), true);
      assert.deepEqual((await t.manager.revokeAllSessions('bob')).sort(), [ids[0], ids[3]].sort());
      const revoked = (await t.manager.history({ userId: 'bob' })).filter((entry) => entry.type === 'revoked');
      const by = Object.fromEntries(revoked.map((entry) => [entry.sessionId, `${entry.actor}/${entry.reason}`]));
      assert.equal(by[ids[1] as string], 'user/revoke');
      assert.equal(by[ids[2] as string], 'admin:7/revoke');
      assert.equal(by[ids[3] as string], 'app/revoke-all');
    });

    it('a read-only request writes no history; a new address is recorded once, at a write that was due', async () => {
      const t = setup(makeStore(), { history: true });
      const session = await t.manager.load(FROM('10.0.0.1'));
      await session.login('carol');
      const cookie = pair(await session.commit());
      const id = session.id as string;
      t.take();
      // Same address, or a new one within the touch throttle: one read, nothing written.
      for (const ip of ['10.0.0.1', '192.0.2.9']) {
        const read = await t.manager.load({ ...FROM(ip), cookie });
        await read.commit();
      }
      assert.deepEqual(t.take(), ['get:ok', 'get:ok']);
      t.advance(120_000);
      const moved = await t.manager.load({ ...FROM('192.0.2.9', 'Chrome/2'), cookie });
      await moved.commit();
      assert.deepEqual(t.take(), ['get:ok', 'update:ok', 'appendHistory:ok']);
      t.advance(120_000);
      const again = await t.manager.load({ ...FROM('192.0.2.9', 'Chrome/2'), cookie });
      await again.commit();
      assert.deepEqual(t.take(), ['get:ok', 'touch:ok']);
      const [agent, address] = await t.manager.history({ sessionId: id });
      assert.deepEqual([agent?.type, agent?.reason, agent?.userAgent], ['user_agent_changed', 'Firefox/1', 'Chrome/2']);
      assert.deepEqual([address?.type, address?.reason, address?.ip, address?.actor], ['address_changed', '10.0.0.1', '192.0.2.9', 'system']);
      assert.deepEqual((await t.manager.listSessions('carol'))[0]?.ip, '192.0.2.9');
    });

    it('entries leave the history after the retention, and prune deletes them with the records', async () => {
      const store = makeStore();
      const t = setup(store, { history: { retention: '1h', maxEntriesPerSession: 2 } });
      const session = await t.manager.load(HTTPS);
      await session.login('dave');
      for (let i = 0; i < 3; i++) await session.regenerate();
      await session.commit();
      const id = session.id as string;
      assert.equal((await t.manager.history({ sessionId: id }, { limit: 1 })).length, 1);
      t.advance(3_600_000);
      assert.deepEqual(await t.manager.history({ userId: 'dave' }), []);
      await store.prune(t.now());
      assert.deepEqual(await store.readHistory?.({ userId: 'dave' }, { limit: 10, now: t.now() - 3_600_000 }), []);
    });

    it('records a CSRF refusal of a user’s session', async () => {
      const t = setup(makeStore(), { history: true });
      const { id, cookie } = await (async () => {
        const session = await t.manager.load(HTTPS);
        await session.login('erin');
        return { id: session.id as string, cookie: pair(await session.commit()) };
      })();
      const session = await t.manager.load({ ...HTTPS, cookie });
      const verdict = t.manager.csrf?.check(
        { method: 'POST', target: 'https://shop.test', origin: 'https://evil.test', secFetchSite: 'cross-site', authorization: false },
        session,
      );
      assert.ok(verdict instanceof Error);
      for (let i = 0; i < 50 && (await t.manager.history({ sessionId: id }))[0]?.type !== 'csrf_refused'; i++) await new Promise((r) => setTimeout(r, 10));
      const [refused] = await t.manager.history({ sessionId: id });
      assert.deepEqual([refused?.type, refused?.reason, refused?.actor], ['csrf_refused', 'cross-site', 'system']);
    });
  });
}

describe('history option', () => {
  const plain = (): SessionStore => {
    const { appendHistory: _a, readHistory: _r, ...rest } = memoryStore({ sweepIntervalMs: 0, quiet: true });
    return rest;
  };
  const make = (store: SessionStore, history: unknown) =>
    createSessionManager({ store, secrets: ['option-secret-0123456789abcdef0123456789'], history: history as boolean });

  it('refuses bad settings with the fix', () => {
    for (const bad of [{ retention: '30 days' }, { retention: 10 }, { retention: -1 }, { maxEntriesPerSession: 0 }, { maxEntriesPerUser: 1.5 }, 'on']) {
      assert.throws(() => make(memoryStore({ sweepIntervalMs: 0, quiet: true }), bad), SessionConfigError, JSON.stringify(bad));
    }
    assert.throws(() => make(plain(), { retention: '30d' }), /has no appendHistory\(\) and readHistory\(\).*history: false/);
  });

  it('is off for a store without a history, and off when asked; history() says so', async () => {
    for (const manager of [make(plain(), undefined), make(memoryStore({ sweepIntervalMs: 0, quiet: true }), false)]) {
      await assert.rejects(manager.history({ userId: 'x' }), SessionConfigError);
    }
  });

  it('refuses a query that names neither or both', async () => {
    const manager = make(memoryStore({ sweepIntervalMs: 0, quiet: true }), true);
    await assert.rejects(manager.history({} as never), TypeError);
    await assert.rejects(manager.history({ userId: 'a', sessionId: 'b' } as never), TypeError);
    await assert.rejects(manager.history({ userId: 'a' }, { limit: 0 }), TypeError);
  });
});
