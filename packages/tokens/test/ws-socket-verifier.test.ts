// WS-01 / WS-07 on the token side: what `verifyForSocket` lets into a WebSocket handshake.
// Liveness of the session is the hub's check (manager.peek), not this one's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { claimsFor, compact, payloadOf, setup } from './helpers.js';

describe('verifyForSocket', () => {
  it('WS-01 a valid access token names its session, user and expiry', async () => {
    const t = await setup();
    const pair = await t.tokens.login(await t.manager.loadById(null), 'user-7');
    const identity = await t.tokens.verifyForSocket(pair.access_token);
    const claims = payloadOf(pair.access_token);
    assert.deepEqual(identity, { sessionId: claims.sid, userId: 'user-7', expiresAt: (claims.exp as number) * 1000 });
    // Twice: the second answer comes from the verified-token cache and must agree.
    assert.deepEqual(await t.tokens.verifyForSocket(pair.access_token), identity);
  });

  it('WS-07 an expired token is refused, without the clock tolerance HTTP requests get', async () => {
    const t = await setup();
    const pair = await t.tokens.login(await t.manager.loadById(null), 'user-7');
    assert.notEqual(await t.tokens.verifyForSocket(pair.access_token), null, 'cached while valid');
    t.clock.advance(900 * 1000 + 1);
    assert.equal(await t.tokens.verifyForSocket(pair.access_token), null, 'just past exp, inside the 30 s tolerance');
    t.clock.advance(60 * 1000);
    assert.equal(await t.tokens.verifyForSocket(pair.access_token), null);
  });

  it('WS-01 garbage, forged, refresh and anonymous tokens are refused, never thrown', async () => {
    const t = await setup();
    const anonymous = await t.tokens.anonymous();
    const user = await t.tokens.login(await t.manager.loadById(null), 'user-7');
    const forged = compact({ alg: 'none', typ: 'at+jwt' }, claimsFor('sid', 'user-7', t.clock));
    const tampered = `${user.access_token.slice(0, -4)}AAAA`;
    for (const token of ['', 'garbage', 'a.b.c', forged, tampered, user.refresh_token, anonymous.access_token, 'x'.repeat(10_000), 42, null, undefined]) {
      assert.equal(await t.tokens.verifyForSocket(token), null, `refused: ${String(token).slice(0, 40)}`);
    }
  });
});
