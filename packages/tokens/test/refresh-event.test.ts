// The `refresh` event: one per rotation with its outcome, the live session's public id and a
// duration, for metrics and tracing; parallel refreshes that share a rotation report it once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSessionManager, SessionStoreError } from 'coatcheck';
import { sqliteStore } from '@coatcheck/sqlite';
import { createTokenService, type TokenEvents } from '../src/index.js';
import { createClock, keyFileFor, payloadOf, SECRET, setup } from './helpers.js';

const SEC = 1000;

function record(events: { on(event: 'refresh', listener: (payload: TokenEvents['refresh']) => void): () => void }) {
  const seen: TokenEvents['refresh'][] = [];
  events.on('refresh', (event) => seen.push(event));
  return {
    seen,
    /** `outcome:sessionId` of the events since the last call. */
    take: () => seen.splice(0).map((e) => `${e.outcome}:${e.sessionId ?? '-'}`),
  };
}

describe('the refresh event', () => {
  it('reports rotated, grace, reused, expired and invalid, with the live session id only', async () => {
    const t = await setup();
    const { seen, take } = record(t.tokens.events);
    const first = await t.tokens.login(await t.manager.loadById(null), 'alice');
    const sid = payloadOf(first.access_token).sid as string;
    await t.tokens.refresh(first.refresh_token);
    await t.tokens.refresh(first.refresh_token);
    assert.deepEqual(take(), [`rotated:${sid}`, `grace:${sid}`], 'the same token within the grace window');
    for (const event of seen) assert.ok(Number.isFinite(event.ms) && event.ms >= 0);
    t.clock.advance(11 * SEC);
    await t.tokens.refresh(first.refresh_token);
    assert.deepEqual(take(), [`reused:${sid}`], 'a replay after the window ends the session');
    // A well-formed token naming a session that does not exist: no id is reported for it.
    await t.tokens.refresh(`${'A'.repeat(24)}.${'B'.repeat(43)}`);
    await t.tokens.refresh('garbage');
    await t.tokens.refresh(undefined);
    assert.deepEqual(take(), ['invalid:-', 'invalid:-', 'invalid:-']);

    const other = await setup({ tokens: { refresh: { idleTimeout: 60 } } });
    const events = record(other.tokens.events);
    const pair = await other.tokens.login(await other.manager.loadById(null), 'bob');
    other.clock.advance(61 * SEC);
    const expired = await other.tokens.refresh(pair.refresh_token);
    assert.equal(expired.ok ? 'ok' : expired.code, 'ERR_REFRESH_TOKEN_EXPIRED');
    assert.deepEqual(events.take(), [`expired:${payloadOf(pair.access_token).sid}`]);
  });

  it('parallel refreshes sharing one rotation report it once', async () => {
    const t = await setup();
    const { take } = record(t.tokens.events);
    const pair = await t.tokens.login(await t.manager.loadById(null), 'carol');
    await Promise.all(Array.from({ length: 5 }, () => t.tokens.refresh(pair.refresh_token)));
    assert.deepEqual(take(), [`rotated:${payloadOf(pair.access_token).sid}`]);
  });

  it('a store that fails reports error, and the refresh still rejects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coatcheck-refresh-event-'));
    try {
      const clock = createClock();
      const store = sqliteStore({ filename: join(dir, 'sessions.db'), pruneIntervalMs: 0 });
      const manager = createSessionManager({ store, secrets: [SECRET], now: clock.now });
      const tokens = await createTokenService({ manager, keys: await keyFileFor('HS256'), refreshSecret: SECRET, now: clock.now });
      const { take } = record(tokens.events);
      const pair = await tokens.login(await manager.loadById(null), 'dave');
      await store.close();
      await assert.rejects(tokens.refresh(pair.refresh_token), SessionStoreError);
      assert.deepEqual(take(), ['error:-'], 'the store failed before the session was read');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
