// Whose clock decides: the server's, never the client's (LC-09), and with several instances
// whose clocks disagree, each instance's own (SF-26). Time is injected, so the tests move it;
// nothing here measures how long anything took.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager, type SessionManager } from '../src/index.js';
import type { SessionStore } from '../src/store-kit/index.js';
import { HTTPS, login, pair, setup, STORES, type Data } from './helpers/manager-setup.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const SECRET = 'clock-secret-8c2e4a6f1b3d5e7a9c0b2d4f6a8e1c3b';
const quiet = { warn() {}, error() {} };

describe('the server is the time authority', () => {
  for (const [storeName, makeStore] of STORES) {
    it(`LC-09 a cookie kept past its expiry, even sent with a far-future Expires or Max-Age, is expired on the server (${storeName})`, async () => {
      const { manager, advance } = setup(makeStore());
      const remembered = await manager.load(HTTPS);
      await remembered.login('alice', { remember: true });
      const persistent = pair(await remembered.commit());
      const { cookie: browserSession } = await login(manager, 'bob');
      // What a client that rewrote its cookie jar sends: the attributes come back as cookies
      // of their own, which nobody reads; only the ticket counts.
      const tampered = (cookie: string) => `${cookie}; Expires=Fri, 31 Dec 9999 23:59:59 GMT; Max-Age=999999999; expires_at=99999999999999`;
      assert.equal((await manager.load({ ...HTTPS, cookie: tampered(browserSession) })).userId, 'bob', 'the attributes change nothing while the session lives');

      advance(30 * MINUTE);
      const idle = await manager.load({ ...HTTPS, cookie: tampered(browserSession) });
      assert.equal(idle.status, 'expired', 'idle timeout by the server clock');
      assert.match((await idle.commit())[0] as string, /Max-Age=0/, 'and the browser is told to drop it');
      assert.equal((await manager.load({ ...HTTPS, cookie: tampered(persistent) })).userId, 'alice');

      advance(14 * 24 * 60 * MINUTE);
      assert.equal((await manager.load({ ...HTTPS, cookie: tampered(persistent) })).status, 'expired', 'remember-me idle timeout by the server clock');
      // The ticket holds no time a client could move: id, secret and signature, nothing else.
      assert.match(persistent, /^__Host-sid=[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    });
  }
});

/** Two instances on one store, their clocks `skewMs` ahead of and behind the real time. */
function skewedPair(store: SessionStore, skewMs: number) {
  let real = Date.UTC(2026, 0, 1);
  const lifetime = { idleTimeout: 30 * 60, absoluteTimeout: 2 * 3600 };
  const instance = (offset: number): SessionManager<Data> =>
    createSessionManager<Data>({ store, secrets: [SECRET], now: () => real + offset, production: true, logger: quiet, lifetime });
  return { fast: instance(skewMs), slow: instance(-skewMs), advance: (ms: number) => void (real += ms) };
}

describe('instances whose clocks disagree', () => {
  for (const [storeName, makeStore] of STORES) {
    it(`SF-26 clocks ±120 s apart: a session used within idle − 2·skew − touchAfter stays alive on both, and dies at its absolute limit by each one's clock (${storeName})`, async () => {
      const store = makeStore();
      const skew = 2 * MINUTE;
      const idle = 30 * MINUTE;
      const touchAfter = MINUTE;
      const { fast, slow, advance } = skewedPair(store, skew);
      const { id, cookie } = await login(fast, 'alice');
      const { absoluteExpiresAt } = (await store.get(id, 0)) as NonNullable<Awaited<ReturnType<SessionStore['get']>>>;

      // The longest gap the skew allows, then short ones, on alternating instances, writing
      // every other time: activity keeps the session alive and never moves its absolute limit.
      const longest = idle - 2 * skew - touchAfter - SECOND;
      const gaps = [longest, SECOND, longest, 10 * SECOND, longest / 2, longest];
      let requests = 0;
      let alive = true;
      for (let n = 0; alive; n++) {
        advance(gaps[n % gaps.length] as number);
        const instance = n % 2 === 0 ? slow : fast;
        const session = await instance.load({ ...HTTPS, cookie });
        const beforeLimit = instance.now() < absoluteExpiresAt;
        assert.equal(session.status === 'valid', beforeLimit, `request ${n} on the ${instance === slow ? 'slow' : 'fast'} instance`);
        alive = beforeLimit;
        if (n % 2 === 1) session.set('counter', n);
        await session.commit();
        const stored = await store.get(id, 0);
        if (stored) {
          assert.equal(stored.absoluteExpiresAt, absoluteExpiresAt, 'no instance moves the absolute limit');
          assert.ok(stored.expiresAt <= absoluteExpiresAt, 'nor lets the idle expiry pass it');
        }
        requests++;
      }
      assert.ok(requests > 5, `the session lived through ${requests} requests`);
      // Gone for both once either clock passed the limit the login instance wrote.
      for (const instance of [fast, slow]) assert.notEqual((await instance.load({ ...HTTPS, cookie })).status, 'valid');
    });

    it(`SF-26 a write from the slow instance never cuts short what the fast one extended; a session unused for idle + 2·skew is dead on both (${storeName})`, async () => {
      const store = makeStore();
      const skew = 2 * MINUTE;
      const { fast, slow, advance } = skewedPair(store, skew);
      const { id, cookie } = await login(slow, 'bob');
      const { absoluteExpiresAt } = (await store.get(id, 0)) as NonNullable<Awaited<ReturnType<SessionStore['get']>>>;
      advance(10 * MINUTE);
      await (await fast.load({ ...HTTPS, cookie })).commit();
      const extended = (await store.get(id, 0))?.expiresAt as number;
      advance(SECOND);
      const writer = await slow.load({ ...HTTPS, cookie });
      writer.set('note', 'written by the slow clock');
      await writer.commit();
      assert.equal((await store.get(id, 0))?.expiresAt, extended, 'the write keeps the later expiry');
      const rotating = await slow.load({ ...HTTPS, cookie });
      await rotating.regenerate();
      const rotated = pair(await rotating.commit());
      assert.equal((await store.get(rotating.id as string, 0))?.absoluteExpiresAt, absoluteExpiresAt, 'a rotation on another clock keeps the limit');

      advance(30 * MINUTE + 2 * skew + SECOND);
      for (const instance of [fast, slow]) assert.equal((await instance.load({ ...HTTPS, cookie: rotated })).status, 'expired');
    });
  }
});
