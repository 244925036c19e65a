// maxSessionsPerUser: a cap on a user's concurrent sessions, enforced by the store's
// createCapped at each login. Checked at start-up; a login beyond it ends the oldest or idlest
// session (announced on the bus, emitted, kept in the history as session-limit) or is refused
// with SessionLimitError (409 ERR_SESSION_LIMIT_REACHED through the HTTP policy), and only
// logins count. The stores' own atomicity is the conformance suite's (capped-create.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager, SessionLimitError, type SessionEvents, type SessionManagerOptions } from 'coatcheck';
import { createHttpPolicy, fetchRequest, isAnswer, type HttpAnswer } from 'coatcheck/adapter';
import { memoryBus, type BusMessage } from 'coatcheck/bus';
import { SessionConfigError } from 'coatcheck/errors';
import { memoryStore } from 'coatcheck/memory';
import { SessionStoreError, withCapProgress, type SessionStore } from 'coatcheck/store-kit';

const SECRET = 'session-limit-secret-0123456789abcdef0123';
const T0 = Date.UTC(2026, 0, 1);

function setup(maxSessionsPerUser: SessionManagerOptions['maxSessionsPerUser'], instances = 1) {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const store = memoryStore({ quiet: true, sweepIntervalMs: 0 });
  const bus = memoryBus();
  const messages: BusMessage[] = [];
  bus.subscribe((message) => void messages.push(message));
  const managers = Array.from({ length: instances }, () =>
    createSessionManager({ store, bus, cache: true, secrets: [SECRET], now: clock.now, production: false, maxSessionsPerUser }),
  );
  const revoked: SessionEvents['revoked'][] = [];
  managers[0]?.events.on('revoked', (event) => void revoked.push(event));
  const manager = managers[0] as (typeof managers)[number];

  /** A login on a new device; returns its cookie pair and session id. */
  async function login(userId: string, device: string, on = manager) {
    const session = await on.load({ userAgent: device, ip: '192.0.2.7', secure: false });
    await session.login(userId);
    const [cookie] = await session.commit();
    return { cookie: (cookie as string).split(';')[0] as string, id: session.id as string };
  }
  /** Whether the browser holding `cookie` is still signed in, as instance `on` sees it. */
  async function signedIn(cookie: string, on = manager): Promise<boolean> {
    const session = await on.load({ cookie, secure: false });
    return session.userId !== null;
  }
  return { clock, store, managers, manager, messages, revoked, login, signedIn };
}

describe('maxSessionsPerUser', () => {
  it('is checked at start-up: a positive integer, a known policy, a store that can enforce it', () => {
    const store = memoryStore({ quiet: true });
    const cases: [unknown, RegExp][] = [
      [0, /maxSessionsPerUser must be a positive integer or an object with one \(max\)/],
      [2.5, /positive integer/],
      [{ policy: 'reject' }, /positive integer/],
      [{ max: 3, policy: 'evictNewest' }, /policy must be 'evictOldest', 'evictIdlest' or 'reject', not "evictNewest"/],
    ];
    for (const [maxSessionsPerUser, message] of cases) {
      assert.throws(
        () => createSessionManager({ store, secrets: [SECRET], maxSessionsPerUser: maxSessionsPerUser as never }),
        (error) => error instanceof SessionConfigError && message.test(error.message),
      );
    }
    const { createCapped: _, ...uncapped } = store;
    assert.throws(
      () => createSessionManager({ store: uncapped as SessionStore, secrets: [SECRET], maxSessionsPerUser: 3 }),
      (error) => error instanceof SessionConfigError && /has no createCapped\(\), so it cannot enforce maxSessionsPerUser/.test(error.message),
    );
  });

  it('LC-21 evictOldest: the fourth login ends the first device, everywhere, with the reason kept', async () => {
    const shop = setup(3, 2);
    const [, other] = shop.managers;
    const devices: { cookie: string; id: string }[] = [];
    for (const name of ['laptop', 'phone', 'tablet']) {
      devices.push(await shop.login('alice', name));
      shop.clock.advance(1000);
    }
    // The other instance has the laptop cached.
    assert.equal(await shop.signedIn(devices[0]?.cookie ?? '', other), true);
    const kiosk = await shop.login('alice', 'kiosk');
    assert.equal(await shop.signedIn(devices[0]?.cookie ?? ''), false);
    assert.equal(await shop.signedIn(devices[0]?.cookie ?? '', other), false, 'the other instance dropped its cached copy');
    for (const device of [...devices.slice(1), kiosk]) assert.equal(await shop.signedIn(device.cookie), true);
    assert.deepEqual(
      (await shop.manager.listSessions('alice')).map((session) => session.userAgent),
      ['phone', 'tablet', 'kiosk'],
    );
    assert.deepEqual(shop.revoked, [{ ids: [devices[0]?.id], userId: 'alice', reason: 'session-limit' }]);
    assert.ok(shop.messages.some((m) => m.type === 'ended' && m.reason === 'session-limit' && m.ids.includes(devices[0]?.id ?? '')));
    const [entry] = (await shop.manager.history({ sessionId: devices[0]?.id ?? '' })).filter((e) => e.type === 'revoked');
    assert.equal(entry?.reason, 'session-limit');
    assert.equal(entry?.actor, 'system');
    assert.equal(entry?.userAgent, 'kiosk', 'the entry names the login that made room');
  });

  it('LC-21 evictIdlest: the device unused the longest ends, not the oldest', async () => {
    const shop = setup({ max: 2, policy: 'evictIdlest' });
    const laptop = await shop.login('bob', 'laptop');
    shop.clock.advance(60_000);
    const phone = await shop.login('bob', 'phone');
    shop.clock.advance(10 * 60_000);
    // The laptop is used again (a touch is due after a minute); the phone is now the idlest.
    const used = await shop.manager.load({ cookie: laptop.cookie, secure: false });
    await used.commit();
    await shop.login('bob', 'desktop');
    assert.equal(await shop.signedIn(laptop.cookie), true);
    assert.equal(await shop.signedIn(phone.cookie), false);
  });

  it('LC-21 reject: a login beyond the cap is refused, nothing is written, the visitor keeps their cart', async () => {
    const shop = setup({ max: 2, policy: 'reject' });
    await shop.login('carol', 'laptop');
    await shop.login('carol', 'phone');
    const visitor = await shop.manager.load({ userAgent: 'kiosk', secure: false });
    visitor.set('cart', ['tea']);
    const [cookie] = await visitor.commit();
    const pair = (cookie as string).split(';')[0] as string;
    const before = shop.store.size;
    const again = await shop.manager.load({ cookie: pair, secure: false });
    const refused = await again.login('carol').then(
      () => null,
      (error: unknown) => error,
    );
    assert.ok(refused instanceof SessionLimitError);
    assert.equal(refused.code, 'ERR_SESSION_LIMIT_REACHED');
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.max, 2);
    assert.equal(refused.live, 2);
    assert.equal(shop.store.size, before);
    const after = await shop.manager.load({ cookie: pair, secure: false });
    assert.equal(after.userId, null);
    assert.deepEqual(after.get('cart'), ['tea']);
    assert.equal((await shop.manager.listSessions('carol')).length, 2);
    assert.deepEqual(shop.revoked, []);
  });

  it('LC-21 only logins count: regenerate, step-up and a re-login on the same session end nothing', async () => {
    const shop = setup(2);
    const laptop = await shop.login('dave', 'laptop');
    const phone = await shop.login('dave', 'phone');
    for (const step of ['regenerate', 'stepUp', 'login'] as const) {
      const session = await shop.manager.load({ cookie: phone.cookie, secure: false });
      if (step === 'regenerate') await session.regenerate();
      else if (step === 'stepUp') await session.stepUp('otp');
      else await session.login('dave');
      const [cookie] = await session.commit();
      phone.cookie = (cookie as string).split(';')[0] as string;
      assert.equal(await shop.signedIn(laptop.cookie), true, `after ${step}`);
    }
    assert.equal((await shop.manager.listSessions('dave')).length, 2);
    assert.deepEqual(shop.revoked, []);
    // Another user signing in on that device counts for them, not for dave.
    const switched = await shop.manager.load({ cookie: phone.cookie, secure: false });
    await switched.login('erin');
    await switched.commit();
    assert.equal((await shop.manager.listSessions('dave')).length, 1);
    assert.equal((await shop.manager.listSessions('erin')).length, 1);
  });

  it('LC-21 through the HTTP policy: 409 ERR_SESSION_LIMIT_REACHED, no-store and no cookie', async () => {
    const shop = setup({ max: 1, policy: 'reject' });
    await shop.login('frank', 'laptop');
    const policy = createHttpPolicy({ manager: shop.manager });
    const tx = await policy.begin(
      fetchRequest(new Request('http://shop.test/login', { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } }), { peer: '192.0.2.8' }),
    );
    assert.ok(!isAnswer(tx));
    const error = await tx.session.login('frank').then(
      () => null,
      (thrown: unknown) => thrown,
    );
    const answer = policy.answerError(error) as HttpAnswer;
    assert.equal(answer.status, 409);
    assert.equal(answer.headers['cache-control'], 'no-store');
    assert.equal(answer.headers['set-cookie'], undefined);
    assert.deepEqual(JSON.parse(answer.body), {
      error: { code: 'ERR_SESSION_LIMIT_REACHED', message: 'This account is signed in on the most devices allowed (1); sign out on one of them first.' },
    });
  });

  it('LC-21 one process sends one capped login per user at a time: the others wait without holding a store call', async () => {
    const inner = memoryStore({ quiet: true, sweepIntervalMs: 0 });
    const inFlight = new Map<string, number>();
    let most = 0;
    const calls: string[] = [];
    // The store's createCapped, slowed down so that calls made together would overlap here.
    const store: SessionStore = {
      ...inner,
      name: inner.name,
      async createCapped(record, cap, now) {
        const user = record.userId as string;
        calls.push(user);
        inFlight.set(user, (inFlight.get(user) ?? 0) + 1);
        most = Math.max(most, inFlight.get(user) as number);
        await new Promise((resolve) => setTimeout(resolve, 5));
        try {
          return await (inner.createCapped as NonNullable<SessionStore['createCapped']>)(record, cap, now);
        } finally {
          inFlight.set(user, (inFlight.get(user) as number) - 1);
        }
      },
    };
    const manager = createSessionManager({ store, secrets: [SECRET], production: false, maxSessionsPerUser: 3 });
    const login = async (userId: string) => {
      const session = await manager.load({ userAgent: 'phone', ip: '192.0.2.9', secure: false });
      await session.login(userId);
      await session.commit();
    };
    await Promise.all([...Array.from({ length: 20 }, () => login('gina')), login('hank'), login('hank')]);
    assert.equal(calls.length, 22, 'every login reached the store');
    assert.equal(most, 1, 'no two capped logins of one user were in the store at once');
    assert.equal((await inner.listByUser('gina', Date.now())).length, 3);
    await manager.close();
  });

  it('LC-21 a capped create that fails after evicting (a replica that never acknowledged): the evictions are announced, the new record deleted, the login 503', async () => {
    const inner = memoryStore({ quiet: true, sweepIntervalMs: 0 });
    const store: SessionStore = {
      ...inner,
      name: inner.name,
      // Evicts and creates, then fails the way the Redis store does when WAIT times out.
      async createCapped(record, cap, now) {
        const result = await (inner.createCapped as NonNullable<SessionStore['createCapped']>)(record, cap, now);
        if (result.outcome !== 'created') return result;
        throw withCapProgress(new SessionStoreError('memory', 'the replicas did not acknowledge in time'), { evicted: result.evicted, created: true });
      },
    };
    const bus = memoryBus();
    const messages: BusMessage[] = [];
    bus.subscribe((message) => void messages.push(message));
    const manager = createSessionManager({ store: inner, bus, secrets: [SECRET], production: false, maxSessionsPerUser: 1 });
    const first = await manager.load({ userAgent: 'laptop', ip: '192.0.2.7', secure: false });
    await first.login('ivy');
    const [cookie] = await first.commit();
    await manager.close();

    const failing = createSessionManager({ store, bus, cache: true, secrets: [SECRET], production: false, maxSessionsPerUser: 1 });
    const revoked: SessionEvents['revoked'][] = [];
    failing.events.on('revoked', (event) => void revoked.push(event));
    const firstCookie = { cookie: (cookie as string).split(';')[0], secure: false };
    assert.equal((await failing.load(firstCookie)).userId, 'ivy', 'the first session is in this instance’s cache');
    const second = await failing.load({ userAgent: 'phone', ip: '192.0.2.8', secure: false });
    await assert.rejects(second.login('ivy'), (error: unknown) => error instanceof SessionStoreError);
    assert.deepEqual(revoked, [{ ids: [first.id], userId: 'ivy', reason: 'session-limit' }]);
    assert.ok(
      messages.some((message) => message.type === 'ended' && message.ids.includes(first.id as string)),
      'the eviction reached the bus',
    );
    assert.deepEqual(await inner.listByUser('ivy', Date.now()), [], 'neither the evicted session nor the unsent new one is live');
    const history = await failing.history({ userId: 'ivy' });
    assert.ok(history.some((entry) => entry.type === 'revoked' && entry.sessionId === first.id && entry.reason === 'session-limit'));
    assert.equal((await failing.load(firstCookie)).userId, null, 'not served from the cache');
    await failing.close();
  });
});
