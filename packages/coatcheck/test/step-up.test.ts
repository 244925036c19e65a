// Step-up ("sudo mode") through the manager, on the memory store and a real SQLite file: the
// factors a login and a step-up record, freshness on the injected clock, the methods filter,
// the pending challenge (answered once), the sliding window, and records without factors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionStepUpChallengeError, SessionStepUpRequiredError } from '../src/errors.js';
import { AUTH_DATA_KEY } from '../src/store/types.js';
import { HTTPS, STORES, pair, setup } from './helpers/manager-setup.js';

const MINUTE = 60_000;
const within = 5 * MINUTE;

type Harness = ReturnType<typeof setup>;

/** Logs alice in with `method`; returns a function loading her session with the latest cookie. */
async function signIn(t: Harness, method?: string) {
  const visit = await t.manager.load(HTTPS);
  await visit.login('alice', method === undefined ? {} : { method });
  let cookie = pair(await visit.commit());
  return {
    load: () => t.manager.load({ ...HTTPS, cookie }),
    /** Runs `fn` on a loaded session and keeps the cookie it may rotate to. */
    async with<R>(fn: (session: Awaited<ReturnType<Harness['manager']['load']>>) => Promise<R>): Promise<R> {
      const session = await t.manager.load({ ...HTTPS, cookie });
      try {
        return await fn(session);
      } finally {
        const set = await session.commit();
        if (set.length > 0) cookie = pair(set);
      }
    },
  };
}

/** The refusal `requireFresh` rejects with. */
async function refusal(promise: Promise<void>): Promise<SessionStepUpRequiredError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SessionStepUpRequiredError, `expected a step-up refusal, got ${String(error)}`);
    return error;
  }
  assert.fail('requireFresh resolved: the session was fresh');
}

for (const [name, makeStore] of STORES) {
  describe(`step-up (${name} store)`, () => {
    it('SU-01 a login is fresh for `within`, then not; a step-up makes it fresh again, on a new ticket', async () => {
      const t = setup(makeStore());
      const alice = await signIn(t);
      const first = await alice.load();
      assert.deepEqual(first.amr, [{ method: 'pwd', at: t.now() }], "a login's method defaults to pwd");
      await first.requireFresh({ within });
      t.advance(within);
      await (await alice.load()).requireFresh({ within });
      t.advance(1);
      const refused = await refusal((await alice.load()).requireFresh({ within }));
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.code, 'ERR_SESSION_STEP_UP_REQUIRED');
      assert.deepEqual([refused.methods, refused.within], [null, within]);
      assert.match(refused.challenge, /^[\w-]{22}$/);
      const before = (await alice.load()).id;
      await alice.with((s) => s.stepUp('pwd', { challenge: refused.challenge }));
      const after = await alice.load();
      assert.notEqual(after.id, before, 'a step-up rotates the ticket');
      assert.equal(after.authenticatedAt, t.now());
      await after.requireFresh({ within });
      assert.equal(after.get(AUTH_DATA_KEY as never), undefined, 'the factors are not application data');
    });

    it('SU-02 only the listed methods count; a step-up adds its method to the others', async () => {
      const t = setup(makeStore(), { history: { retention: '1d' } });
      const alice = await signIn(t);
      const refused = await refusal((await alice.load()).requireFresh({ within, methods: ['otp', 'hwk'] }));
      assert.deepEqual(refused.methods, ['otp', 'hwk']);
      t.advance(1000);
      await alice.with((s) => s.stepUp('otp', { challenge: refused.challenge }));
      const s = await alice.load();
      await s.requireFresh({ within, methods: ['otp', 'hwk'] });
      assert.deepEqual(
        s.amr.map((factor) => [factor.method, factor.at - (t.now() - 1000)]),
        [
          ['pwd', 0],
          ['otp', 1000],
        ],
      );
      t.advance(within);
      await s.requireFresh({ within, methods: ['otp'] });
      await refusal(s.requireFresh({ within, methods: ['pwd'] }));
      const [stepUp] = await t.manager.history({ sessionId: s.id as string });
      assert.deepEqual([stepUp?.type, stepUp?.reason, stepUp?.actor], ['step_up', 'otp', 'user'], 'the history names the method');
    });

    it('SU-03 a challenge is answered once: a replayed, expired or wrong-method step-up is refused and changes nothing', async () => {
      const t = setup(makeStore());
      const alice = await signIn(t);
      t.advance(within + 1);
      const refused = await refusal((await alice.load()).requireFresh({ within, methods: ['otp'] }));
      const again = await refusal((await alice.load()).requireFresh({ within, methods: ['otp'] }));
      assert.equal(again.challenge, refused.challenge, 'one pending challenge for the same methods (two tabs agree)');
      await assert.rejects(
        alice.with((s) => s.stepUp('pwd', { challenge: refused.challenge })),
        SessionStepUpChallengeError,
      );
      await assert.rejects(
        alice.with((s) => s.stepUp('otp', { challenge: 'not-the-challenge' })),
        SessionStepUpChallengeError,
      );
      await alice.with((s) => s.stepUp('otp', { challenge: refused.challenge }));
      await assert.rejects(
        alice.with((s) => s.stepUp('otp', { challenge: refused.challenge })),
        (error: unknown) => error instanceof SessionStepUpChallengeError && error.statusCode === 403,
        'the replay of an answered challenge',
      );
      t.advance(within + 1);
      const late = await refusal((await alice.load()).requireFresh({ within, methods: ['otp'] }));
      assert.notEqual(late.challenge, refused.challenge);
      t.advance(5 * MINUTE);
      await assert.rejects(
        alice.with((s) => s.stepUp('otp', { challenge: late.challenge })),
        SessionStepUpChallengeError,
        'expired after 5 minutes',
      );
      await refusal((await alice.load()).requireFresh({ within, methods: ['otp'] }));
    });

    it('SU-04 sliding: each fresh check extends the window by `within`, never past `maxAge` after the factor', async () => {
      const t = setup(makeStore());
      const alice = await signIn(t, 'hwk');
      const check = async (sliding: boolean) => (await alice.load()).requireFresh({ within: MINUTE, sliding, maxAge: 3 * MINUTE });
      t.advance(50_000);
      await check(true);
      t.advance(50_000);
      await refusal(check(false));
      await check(true);
      t.advance(55_000);
      await check(true);
      t.advance(55_000);
      await refusal(check(true)); // 3 min 30 s after the factor: past maxAge
    });

    it('SU-05 sessions without factors (anonymous, written before they were recorded, malformed, or forged in the data) are never fresh', async () => {
      const t = setup(makeStore());
      const anonymous = await t.manager.load(HTTPS);
      await refusal(anonymous.requireFresh({ within }));
      await assert.rejects(anonymous.stepUp('pwd'), TypeError);
      const alice = await signIn(t);
      const id = (await alice.load()).id as string;
      const stored = await t.store.get(id, t.now());
      assert.ok(stored);
      assert.deepEqual(stored.data[AUTH_DATA_KEY], { amr: [{ method: 'pwd', at: t.now() }] }, 'kept in the JSON every store persists');
      const { [AUTH_DATA_KEY]: _dropped, ...older } = stored.data;
      assert.equal(await t.store.update({ ...stored, data: older, version: stored.version + 1 }, stored.version, t.now()), 'ok');
      const legacy = await alice.load();
      assert.deepEqual(legacy.amr, []);
      assert.equal(legacy.authenticatedAt, t.now());
      await refusal(legacy.requireFresh({ within }));
      const broken = await t.store.get(id, t.now());
      assert.ok(broken);
      const bad = { ...broken.data, [AUTH_DATA_KEY]: { amr: [{ method: 'pwd', at: 'now' }] } };
      assert.equal(await t.store.update({ ...broken, data: bad, version: broken.version + 1 }, broken.version, t.now()), 'ok');
      await refusal((await alice.load()).requireFresh({ within }));
      // Data the application writes under the reserved key is never taken for factors.
      await alice.with(async (s) => s.set(AUTH_DATA_KEY as never, { amr: [{ method: 'pwd', at: t.now() }] } as never));
      const refused = await refusal((await alice.load()).requireFresh({ within }));
      assert.deepEqual((await t.store.get(id, t.now()))?.data[AUTH_DATA_KEY], { amr: [], challenge: { id: refused.challenge, at: t.now(), methods: null } });
    });

    it('SU-03 the challenge write waits its turn: a concurrent commit keeps its data, and an ended session is not brought back', async () => {
      const t = setup(makeStore());
      const alice = await signIn(t);
      t.advance(within + 1);
      const stale = await alice.load();
      const other = await alice.load();
      other.set('note', 'written meanwhile');
      await other.commit();
      const refused = await refusal(stale.requireFresh({ within }));
      const now = await alice.load();
      assert.equal(now.get('note'), 'written meanwhile', 'the version check replayed the challenge on the newer record');
      assert.equal((await refusal(now.requireFresh({ within }))).challenge, refused.challenge);
      const gone = await alice.load();
      await alice.with((s) => s.logout());
      await refusal(gone.requireFresh({ within }));
      assert.equal(await t.store.get(gone.id as string, t.now()), null);
    });

    it('SU-06 regenerate keeps the factors; another user logging in on the session starts without them', async () => {
      const t = setup(makeStore());
      const alice = await signIn(t, 'otp');
      await alice.with((s) => s.regenerate());
      await (await alice.load()).requireFresh({ within, methods: ['otp'] });
      await alice.with((s) => s.login('bob'));
      const bob = await alice.load();
      assert.deepEqual(
        bob.amr.map((factor) => factor.method),
        ['pwd'],
      );
      await refusal(bob.requireFresh({ within, methods: ['otp'] }));
      await assert.rejects(bob.requireFresh({ within: 0 }), TypeError);
      await assert.rejects(bob.stepUp('has space'), TypeError);
    });
  });
}
