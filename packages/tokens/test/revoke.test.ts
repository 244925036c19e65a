// Revocation (RFC 7009): a refresh token or an access token of this service ends its session,
// and so every token bound to it; anything else ends nothing and gets the same answer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyFile } from '../src/index.js';
import { bearerError, claimsFor, getMe, hmacToken, payloadOf, setup, T0 } from './helpers.js';

const MINUTE = 60_000;

describe('revoking tokens', () => {
  it('an access token ends its session: it gets 401, and its refresh token is dead too', async () => {
    const t = await setup();
    const pair = await t.tokens.login(await t.manager.loadById(null), 'alice');
    assert.equal((await getMe(t.app, `Bearer ${pair.access_token}`)).statusCode, 200);
    assert.equal(await t.tokens.revoke(pair.access_token), true);
    const res = await getMe(t.app, `Bearer ${pair.access_token}`);
    assert.deepEqual(bearerError(res), { status: 401, error: 'invalid_token', code: 'ERR_TOKEN_SESSION_ENDED', setCookie: undefined });
    const refreshed = await t.tokens.refresh(pair.refresh_token);
    assert.equal(refreshed.ok ? 'ok' : refreshed.code, 'ERR_REFRESH_TOKEN_INVALID');
    assert.equal((await t.manager.loadById(payloadOf(pair.access_token).sid as string)).status, 'expired');
    assert.equal(await t.tokens.revoke(pair.access_token), false, 'a second revocation finds nothing left to end');
  });

  it('LC-21 a login beyond maxSessionsPerUser ends the oldest session and both its tokens', async () => {
    const t = await setup({ manager: { maxSessionsPerUser: 2 } });
    const first = await t.tokens.login(await t.manager.loadById(null), 'dora');
    t.clock.advance(1000);
    const second = await t.tokens.login(await t.manager.loadById(null), 'dora');
    t.clock.advance(1000);
    const third = await t.tokens.login(await t.manager.loadById(null), 'dora');
    assert.equal(bearerError(await getMe(t.app, `Bearer ${first.access_token}`)).code, 'ERR_TOKEN_SESSION_ENDED');
    const refreshed = await t.tokens.refresh(first.refresh_token);
    assert.equal(refreshed.ok ? 'ok' : refreshed.code, 'ERR_REFRESH_TOKEN_INVALID');
    for (const pair of [second, third]) assert.equal((await getMe(t.app, `Bearer ${pair.access_token}`)).statusCode, 200);
    assert.ok((await t.tokens.refresh(second.refresh_token)).ok, 'the sessions kept keep their refresh tokens');
  });

  it('an expired but correctly signed access token still ends its session', async () => {
    const t = await setup();
    const pair = await t.tokens.login(await t.manager.loadById(null), 'bob');
    t.clock.advance(16 * MINUTE);
    assert.equal(bearerError(await getMe(t.app, `Bearer ${pair.access_token}`)).code, 'ERR_TOKEN_EXPIRED');
    assert.equal(await t.tokens.revoke(pair.access_token), true);
    const refreshed = await t.tokens.refresh(pair.refresh_token);
    assert.equal(refreshed.ok, false, 'the refresh token that would have renewed it is dead');
  });

  it("an anonymous session's access token ends it as well", async () => {
    const t = await setup();
    const pair = await t.tokens.anonymous();
    assert.equal(await t.tokens.revoke(pair.access_token), true);
    assert.equal(bearerError(await getMe(t.app, `Bearer ${pair.access_token}`)).code, 'ERR_TOKEN_SESSION_ENDED');
  });

  it('forged tokens naming a live session end nothing', async () => {
    const t = await setup();
    const pair = await t.tokens.login(await t.manager.loadById(null), 'carol');
    const sid = payloadOf(pair.access_token).sid as string;
    const claims = claimsFor(sid, 'carol', t.clock);
    const kid = t.keys.keys[0]!.kid;
    const otherKeys = await generateKeyFile('EdDSA', T0 - 1000);
    const foreign = await (await setup({ keys: { keys: otherKeys.keys.map((key) => ({ ...key, kid })) } })).tokens.login(
      await t.manager.loadById(null),
      'carol',
    );
    const forged = [
      hmacToken({ alg: 'HS256', kid, typ: 'at+jwt' }, claims, 'guessed-secret'),
      hmacToken({ alg: 'none', kid, typ: 'at+jwt' }, claims, '').replace(/[^.]+$/, ''),
      `${pair.access_token.split('.').slice(0, 2).join('.')}.${'A'.repeat(86)}`,
      foreign.access_token,
    ];
    for (const token of forged) assert.equal(await t.tokens.revoke(token), false, token);
    assert.equal((await getMe(t.app, `Bearer ${pair.access_token}`)).statusCode, 200, 'the session is alive');
    assert.ok((await t.tokens.refresh(pair.refresh_token)).ok, 'and so is its refresh token');
  });

  it('garbage answers false without touching anything', async () => {
    const t = await setup();
    const pair = await t.tokens.anonymous();
    for (const value of [undefined, null, 42, '', 'a.b.c', 'x'.repeat(10_000), { token: pair.access_token }, `${pair.access_token} `]) {
      assert.equal(await t.tokens.revoke(value), false, String(value).slice(0, 40));
    }
    assert.equal((await getMe(t.app, `Bearer ${pair.access_token}`)).statusCode, 200);
  });

  it('an access token of a session that was logged in since (new id) ends nothing', async () => {
    const t = await setup();
    const anonymous = await t.tokens.anonymous();
    const session = await t.manager.loadById(payloadOf(anonymous.access_token).sid as string);
    const upgraded = await t.tokens.login(session, 'dave');
    assert.equal(await t.tokens.revoke(anonymous.access_token), false);
    assert.equal((await getMe(t.app, `Bearer ${upgraded.access_token}`)).statusCode, 200, 'the logged-in session lives on');
  });
});
