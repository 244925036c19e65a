// The session lifecycle against the manager itself (no HTTP framework), on the memory store
// and on a real SQLite file: load, login, logout, revoke, touch, liveness (idle, absolute,
// revoked) and concurrent commits merging.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HTTPS, login, pair, setup, STORES } from './helpers/manager-setup.js';

const MINUTE = 60_000;
// Idle 30 min, absolute 12 h, touch after 1 min (the defaults).
const IDLE = 30 * MINUTE;

for (const [storeName, makeStore] of STORES) {
  describe(`session lifecycle through the manager (${storeName} store)`, () => {
    it('a visit without a cookie costs no store call; a change creates the session on commit', async () => {
      const { manager, take } = setup(makeStore());
      const visit = await manager.load(HTTPS);
      assert.equal(visit.status, 'none');
      assert.deepEqual(await visit.commit(), []);
      assert.deepEqual(take(), []);
      const shopper = await manager.load(HTTPS);
      shopper.set('cart', ['apple']);
      const cookie = pair(await shopper.commit());
      assert.deepEqual(take(), ['create:ok']);
      const back = await manager.load({ ...HTTPS, cookie });
      assert.equal(back.status, 'valid');
      assert.deepEqual(back.get('cart'), ['apple']);
    });

    it('login moves the data to a new ticket; the old ticket is dead', async () => {
      const { manager } = setup(makeStore());
      const shopper = await manager.load(HTTPS);
      shopper.set('cart', ['apple']);
      const anonymous = pair(await shopper.commit());
      const s = await manager.load({ ...HTTPS, cookie: anonymous });
      await s.login('alice');
      const cookie = pair(await s.commit());
      assert.notEqual(cookie, anonymous);
      const loggedIn = await manager.load({ ...HTTPS, cookie });
      assert.equal(loggedIn.userId, 'alice');
      assert.deepEqual(loggedIn.get('cart'), ['apple']);
      assert.equal((await manager.load({ ...HTTPS, cookie: anonymous })).status, 'expired');
    });

    it('logout deletes the record, clears the cookie, and a stale handle cannot bring it back', async () => {
      const { manager, take } = setup(makeStore());
      const { cookie } = await login(manager);
      const stale = await manager.load({ ...HTTPS, cookie });
      const s = await manager.load({ ...HTTPS, cookie });
      take();
      await s.logout();
      assert.match((await s.commit())[0] as string, /Max-Age=0/);
      assert.deepEqual(take(), ['delete:ok']);
      stale.set('note', 'late write');
      await stale.commit();
      assert.deepEqual(take(), ['update:miss'], 'the commit finds the session gone and creates nothing');
      assert.equal((await manager.load({ ...HTTPS, cookie })).status, 'expired');
    });

    it('revokeSession ends another device of the same user, and only the owner may do it', async () => {
      const { manager } = setup(makeStore());
      const laptop = await login(manager);
      const phone = await login(manager);
      assert.equal(await manager.revokeSession('mallory', phone.id), false);
      assert.equal((await manager.load({ ...HTTPS, cookie: phone.cookie })).status, 'valid');
      assert.equal(await manager.revokeSession('alice', phone.id), true);
      assert.equal((await manager.load({ ...HTTPS, cookie: phone.cookie })).status, 'expired');
      assert.equal(await manager.peek(phone.id), null, 'a revoked session is not alive');
      assert.deepEqual(
        (await manager.listSessions('alice', laptop.id)).map((d) => d.id),
        [laptop.id],
      );
      assert.deepEqual(await manager.revokeOtherSessions('alice', laptop.id), []);
      assert.deepEqual(await manager.revokeAllSessions('alice'), [laptop.id]);
      assert.equal(await manager.peek(laptop.id), null);
    });

    it('touch is throttled, slides the idle expiry, and never passes the absolute limit', async () => {
      const { manager, advance, now, take } = setup(makeStore());
      const { id } = await login(manager);
      const first = await manager.peek(id);
      assert.ok(first);
      take();
      advance(MINUTE / 2);
      assert.deepEqual(await manager.touch(id), first, 'inside touchAfter nothing is written');
      assert.deepEqual(take(), ['get:ok']);
      advance(5 * MINUTE);
      const touched = await manager.touch(id);
      assert.deepEqual(take(), ['get:ok', 'touch:ok']);
      assert.equal(touched?.expiresAt, now() + IDLE);
      assert.equal((await manager.peek(id))?.expiresAt, now() + IDLE);
      // Keep touching well past the absolute limit: it never moves.
      for (let i = 0; i < 30; i++) {
        advance(25 * MINUTE);
        const live = await manager.touch(id);
        if (live === null) break;
        assert.ok(live.expiresAt <= first.absoluteExpiresAt);
      }
      assert.ok(now() >= first.absoluteExpiresAt);
      assert.equal(await manager.peek(id), null, 'dead at the absolute limit despite activity');
    });

    it('idle expiry: a session not used for the idle timeout is dead for load, peek, touch and loadById', async () => {
      const { manager, advance } = setup(makeStore());
      const { id, cookie } = await login(manager);
      advance(IDLE - 1);
      assert.ok(await manager.peek(id));
      advance(1);
      assert.equal(await manager.peek(id), null);
      assert.equal(await manager.touch(id), null);
      assert.equal((await manager.load({ ...HTTPS, cookie })).status, 'expired');
      assert.equal((await manager.loadById(id)).status, 'expired');
    });

    it('a request after touchAfter slides the expiry on commit and keeps the session alive past the first idle limit', async () => {
      const { manager, advance, take } = setup(makeStore());
      const { id, cookie } = await login(manager);
      advance(IDLE - MINUTE);
      take();
      const s = await manager.load({ ...HTTPS, cookie });
      await s.commit();
      assert.deepEqual(take(), ['get:ok', 'touch:ok']);
      advance(2 * MINUTE);
      assert.ok(await manager.peek(id), 'alive after the original idle limit');
    });

    it('concurrent commits of one session merge: every change survives, lost races are replayed', async () => {
      const { manager, calls, take } = setup(makeStore());
      const { cookie } = await login(manager);
      const handles = await Promise.all(Array.from({ length: 8 }, () => manager.load({ ...HTTPS, cookie })));
      take();
      handles.forEach((h, i) => {
        h.update('counter', (n) => (n ?? 0) + 1);
        h.set(`key${i}`, i);
      });
      await Promise.all(handles.map((h) => h.commit()));
      const updates = calls.filter((c) => c.op === 'update');
      assert.equal(updates.filter((c) => c.outcome === 'ok').length, 8);
      assert.ok(
        updates.some((c) => c.outcome === 'conflict'),
        'the handles loaded the same version',
      );
      const merged = await manager.load({ ...HTTPS, cookie });
      assert.equal(merged.get('counter'), 8);
      for (let i = 0; i < 8; i++) assert.equal(merged.get(`key${i}`), i);
    });

    it('a logout racing a commit of the same session (per-id lock): the session stays ended', async () => {
      const { manager } = setup(makeStore());
      const { id, cookie } = await login(manager);
      const writer = await manager.load({ ...HTTPS, cookie });
      const leaver = await manager.load({ ...HTTPS, cookie });
      writer.set('note', 'x');
      await Promise.all([writer.commit(), leaver.logout()]);
      assert.equal(await manager.peek(id), null);
    });
  });
}
