// The token service writes refresh rotations and refresh-token reuse into the manager's
// session history, with the address of the request; a grace answer adds nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { payloadOf, setup } from './helpers.js';

const SEC = 1000;

describe('session history of bearer sessions', () => {
  it('records each refresh, then the reuse that ended the session', async () => {
    const t = await setup({ tokens: { refresh: { graceSeconds: 0 } } });
    const request = { ip: '198.51.100.7', userAgent: 'app/1.0' };
    const first = await t.tokens.login(await t.manager.loadById(null, request), 'alice');
    const sid = payloadOf(first.access_token).sid as string;
    t.clock.advance(60 * SEC);
    const second = await t.tokens.refresh(first.refresh_token, request);
    assert.ok(second.ok);
    t.clock.advance(60 * SEC);
    assert.equal((await t.tokens.refresh(first.refresh_token, { ip: '203.0.113.9', userAgent: 'curl/8' })).ok, false);
    const history = await t.manager.history({ sessionId: sid });
    assert.deepEqual(
      history.map((entry) => [entry.type, entry.actor, entry.ip]),
      [
        ['revoked', 'app', '203.0.113.9'],
        ['refresh_reuse', 'system', '203.0.113.9'],
        ['refreshed', 'user', '198.51.100.7'],
        ['created', 'user', '198.51.100.7'],
      ],
    );
  });

  it('a grace answer repeats a rotation and is not recorded again', async () => {
    const t = await setup({ tokens: { refresh: { graceSeconds: 30 } } });
    const first = await t.tokens.login(await t.manager.loadById(null), 'bob');
    const sid = payloadOf(first.access_token).sid as string;
    t.clock.advance(SEC);
    assert.ok((await t.tokens.refresh(first.refresh_token)).ok);
    assert.ok((await t.tokens.refresh(first.refresh_token)).ok, 'within the grace window');
    assert.deepEqual(
      (await t.manager.history({ sessionId: sid })).map((entry) => entry.type),
      ['refreshed', 'created'],
    );
  });
});
