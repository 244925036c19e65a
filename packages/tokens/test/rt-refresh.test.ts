// RT-01 … RT-12: refresh-token rotation, replay detection, the grace window and parallel
// refreshes, on one instance and on two instances sharing a store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager, SessionStoreError } from 'coatcheck';
import type { SessionStore } from 'coatcheck/store-kit';
import { memoryStore } from 'coatcheck/memory';
import { createTokenService, REFRESH_KEY, type TokenEvents, type TokenPair } from '../src/index.js';
import { createClock, getMe, keyFileFor, payloadOf, SECRET, setup } from './helpers.js';

const SEC = 1000;

function tokensOf(outcome: Awaited<ReturnType<Awaited<ReturnType<typeof setup>>['tokens']['refresh']>>): TokenPair {
  if (!outcome.ok) throw new Error(`refresh refused: ${outcome.code}`);
  return outcome.tokens;
}

describe('refresh tokens', () => {
  it('RT-01 rotation: a new refresh and access token; the old refresh token then fails (grace off)', async () => {
    const t = await setup({ tokens: { refresh: { graceSeconds: 0 } } });
    const first = await t.tokens.login(await t.manager.loadById(null), 'alice');
    t.clock.advance(SEC);
    const second = tokensOf(await t.tokens.refresh(first.refresh_token));
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.notEqual(second.access_token, first.access_token);
    assert.equal(payloadOf(second.access_token).sid, payloadOf(first.access_token).sid, 'the same session');
    const again = await t.tokens.refresh(first.refresh_token);
    assert.deepEqual(again.ok ? 'ok' : again.code, 'ERR_REFRESH_TOKEN_REUSED');
  });

  it('RT-02 replay of a rotated token ends the family, the session and its access tokens, with an event', async () => {
    const t = await setup();
    const reuses: TokenEvents['refresh-reuse'][] = [];
    t.tokens.events.on('refresh-reuse', (event) => reuses.push(event));
    const families: string[] = [];
    t.tokens.events.on('family-started', (event) => families.push(event.family));
    const rt1 = await t.tokens.login(await t.manager.loadById(null), 'bob');
    t.clock.advance(60 * SEC);
    const rt2 = tokensOf(await t.tokens.refresh(rt1.refresh_token));
    t.clock.advance(60 * SEC);
    const rt3 = tokensOf(await t.tokens.refresh(rt2.refresh_token));
    assert.equal((await getMe(t.app, `Bearer ${rt3.access_token}`)).statusCode, 200);
    const replay = await t.tokens.refresh(rt1.refresh_token);
    assert.equal(replay.ok ? 'ok' : replay.code, 'ERR_REFRESH_TOKEN_REUSED');
    const sid = payloadOf(rt1.access_token).sid as string;
    assert.deepEqual(reuses, [{ sessionId: sid, userId: 'bob', family: families[0] }]);
    assert.equal((await t.tokens.refresh(rt3.refresh_token)).ok, false, 'the active member is dead too');
    assert.equal((await getMe(t.app, `Bearer ${rt3.access_token}`)).statusCode, 401, 'and so are its access tokens');
    assert.equal((await t.manager.loadById(sid)).status, 'expired');
  });

  it("RT-03 attacker first: the thief's successor dies when the user replays the same token", async () => {
    const t = await setup();
    const stolen = await t.tokens.login(await t.manager.loadById(null), 'carol');
    const attacker = tokensOf(await t.tokens.refresh(stolen.refresh_token));
    t.clock.advance(11 * SEC);
    assert.equal((await t.tokens.refresh(stolen.refresh_token)).ok, false, "the user's late refresh is a replay");
    assert.equal((await t.tokens.refresh(attacker.refresh_token)).ok, false, "the attacker's next refresh fails");
    assert.equal((await getMe(t.app, `Bearer ${attacker.access_token}`)).statusCode, 401);
  });

  it('RT-04 ten parallel refreshes with one token on one instance: one successor, the same for all', async () => {
    const t = await setup();
    const pair = await t.tokens.login(await t.manager.loadById(null), 'dave');
    const results = await Promise.all(Array.from({ length: 10 }, () => t.tokens.refresh(pair.refresh_token)));
    const successors = new Set(results.map((r) => tokensOf(r).refresh_token));
    assert.equal(successors.size, 1);
    const [successor] = successors as Set<string>;
    assert.equal((await getMe(t.app, `Bearer ${tokensOf(results[0]!).access_token}`)).statusCode, 200, 'nobody was logged out');
    t.clock.advance(SEC);
    assert.ok((await t.tokens.refresh(successor as string)).ok, 'the one successor is live');
  });

  it('RT-04 ten parallel refreshes spread over two instances on one store: exactly one live successor', async () => {
    const clock = createClock();
    const store = memoryStore({ sweepIntervalMs: 0, quiet: true });
    const keys = await keyFileFor('EdDSA');
    const instances = await Promise.all(
      [0, 1].map(async () => {
        const manager = createSessionManager({ store, secrets: [SECRET], now: clock.now });
        return { manager, tokens: await createTokenService({ manager, keys, refreshSecret: SECRET, now: clock.now }) };
      }),
    );
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const pair = await a.tokens.login(await a.manager.loadById(null), 'erin');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? b : a).tokens.refresh(pair.refresh_token)));
    const successors = new Set(results.map((r) => tokensOf(r).refresh_token));
    assert.equal(successors.size, 1, 'every answer carries the same successor');
    const sid = payloadOf(pair.access_token).sid as string;
    const record = await store.get(sid, clock.now());
    const state = record?.data[REFRESH_KEY] as { generation: number };
    assert.equal(state.generation, 2, 'one rotation was written, not ten');
    clock.advance(SEC);
    assert.ok((await b.tokens.refresh([...successors][0])).ok, 'the successor works on the other instance');
  });

  it('RT-05 grace window: the same successor within G, no new token, no revocation; a replay after G ends the family', async () => {
    const t = await setup({ tokens: { refresh: { graceSeconds: 10 } } });
    const rt1 = await t.tokens.login(await t.manager.loadById(null), 'frank');
    const rt2 = tokensOf(await t.tokens.refresh(rt1.refresh_token));
    t.clock.advance(9 * SEC);
    const again = tokensOf(await t.tokens.refresh(rt1.refresh_token));
    assert.deepEqual(again.refresh_token, rt2.refresh_token);
    assert.equal(again.access_token, rt2.access_token, 'EdDSA is deterministic: the very same access token');
    assert.equal((await getMe(t.app, `Bearer ${rt2.access_token}`)).statusCode, 200);
    t.clock.advance(2 * SEC);
    const late = await t.tokens.refresh(rt1.refresh_token);
    assert.equal(late.ok ? 'ok' : late.code, 'ERR_REFRESH_TOKEN_REUSED');
    assert.equal((await t.tokens.refresh(rt2.refresh_token)).ok, false);
  });

  it('RT-06 a family ends at its absolute lifetime however often it is refreshed', async () => {
    const t = await setup({ tokens: { refresh: { absoluteLifetime: 3600 } } });
    let pair = await t.tokens.login(await t.manager.loadById(null), 'grace', { remember: true });
    for (let minute = 10; minute < 60; minute += 10) {
      t.clock.advance(10 * 60 * SEC);
      pair = tokensOf(await t.tokens.refresh(pair.refresh_token));
    }
    t.clock.advance(10 * 60 * SEC);
    const refused = await t.tokens.refresh(pair.refresh_token);
    assert.equal(refused.ok ? 'ok' : refused.code, 'ERR_REFRESH_TOKEN_EXPIRED');
  });

  it('RT-07 a refresh token unused for longer than the idle timeout fails', async () => {
    const t = await setup({ tokens: { refresh: { idleTimeout: 600 } } });
    const pair = await t.tokens.login(await t.manager.loadById(null), 'heidi', { remember: true });
    t.clock.advance(599 * SEC);
    const ok = tokensOf(await t.tokens.refresh(pair.refresh_token));
    t.clock.advance(601 * SEC);
    assert.equal((await t.tokens.refresh(ok.refresh_token)).ok, false);
  });

  it('RT-08 logout, device revocation, log-out-everywhere and token revocation all end refresh', async () => {
    const t = await setup();
    const viaLogout = await t.tokens.login(await t.manager.loadById(null), 'ivan');
    const session = await t.manager.loadById(payloadOf(viaLogout.access_token).sid as string);
    await session.logout();
    assert.equal((await t.tokens.refresh(viaLogout.refresh_token)).ok, false, 'logout');

    const device = await t.tokens.login(await t.manager.loadById(null), 'ivan');
    await t.manager.revokeSession('ivan', payloadOf(device.access_token).sid as string);
    assert.equal((await t.tokens.refresh(device.refresh_token)).ok, false, 'device revoked');

    const everywhere = await t.tokens.login(await t.manager.loadById(null), 'ivan');
    await t.manager.revokeAllSessions('ivan');
    assert.equal((await t.tokens.refresh(everywhere.refresh_token)).ok, false, 'password change');

    const revoked = await t.tokens.login(await t.manager.loadById(null), 'ivan');
    assert.equal(await t.tokens.revoke(revoked.refresh_token), true);
    assert.equal((await t.tokens.refresh(revoked.refresh_token)).ok, false, 'RFC 7009 revocation');
    assert.equal((await getMe(t.app, `Bearer ${revoked.access_token}`)).statusCode, 401);
    assert.equal(await t.tokens.revoke('not a token'), false);
  });

  it('RT-09 what the store holds is useless as a token; RT-10 a token is bound to its own session', async () => {
    const t = await setup();
    const mine = await t.tokens.login(await t.manager.loadById(null), 'judy');
    const theirs = await t.tokens.login(await t.manager.loadById(null), 'mallory');
    const sid = payloadOf(mine.access_token).sid as string;
    const stored = (await t.manager.store.get(sid, t.clock.now()))?.data[REFRESH_KEY] as { current: string };
    const { createHash } = await import('node:crypto');
    const secret = mine.refresh_token.split('.')[1] as string;
    for (const token of [`${sid}.${stored.current}`, `${sid}.${createHash('sha256').update(secret).digest('base64url')}`]) {
      const outcome = await t.tokens.refresh(token);
      assert.equal(outcome.ok ? 'ok' : outcome.code, 'ERR_REFRESH_TOKEN_INVALID');
    }
    const swapped = `${payloadOf(theirs.access_token).sid}.${secret}`;
    assert.equal((await t.tokens.refresh(swapped)).ok, false, 'my secret under their session id');
    assert.ok((await t.tokens.refresh(mine.refresh_token)).ok, 'neither attempt ended my family');
    assert.ok((await t.tokens.refresh(theirs.refresh_token)).ok, 'nor theirs');
    for (const junk of [undefined, null, 42, {}, ['a'], '', 'a.b', `${sid}.${secret}x`]) assert.equal((await t.tokens.refresh(junk)).ok, false);
  });

  it('RT-12 store down before the rotation is written: the error surfaces and the old token still works', async () => {
    const clock = createClock();
    const inner = memoryStore({ sweepIntervalMs: 0, quiet: true });
    let failUpdates = false;
    const store: SessionStore = Object.create(inner, {
      update: { value: (...args: Parameters<SessionStore['update']>) => (failUpdates ? Promise.reject(new Error('ECONNRESET')) : inner.update(...args)) },
    });
    const manager = createSessionManager({ store, secrets: [SECRET], now: clock.now });
    const tokens = await createTokenService({ manager, keys: await keyFileFor('HS256'), refreshSecret: SECRET, now: clock.now });
    const pair = await tokens.login(await manager.loadById(null), 'kim');
    failUpdates = true;
    await assert.rejects(tokens.refresh(pair.refresh_token), SessionStoreError);
    failUpdates = false;
    assert.ok((await tokens.refresh(pair.refresh_token)).ok, 'no half-rotation: RT1 is still the current token');
  });

  it('an anonymous family upgrades at login: new session id and family, data kept, old tokens dead', async () => {
    const t = await setup();
    const anonymous = await t.tokens.anonymous();
    assert.match(String(payloadOf(anonymous.access_token).sub), /^anonymous_/);
    await t.app.inject({ method: 'POST', url: '/cart', headers: { authorization: `Bearer ${anonymous.access_token}` } });
    const session = await t.manager.loadById(payloadOf(anonymous.access_token).sid as string);
    const user = await t.tokens.login(session, 'lena');
    assert.equal(payloadOf(user.access_token).sub, 'lena');
    assert.notEqual(payloadOf(user.access_token).sid, payloadOf(anonymous.access_token).sid);
    const me = await getMe(t.app, `Bearer ${user.access_token}`);
    assert.deepEqual(me.json().cart, ['apple']);
    assert.equal((await getMe(t.app, `Bearer ${anonymous.access_token}`)).statusCode, 401);
    assert.equal((await t.tokens.refresh(anonymous.refresh_token)).ok, false);
  });
});
