/**
 * Conformance: the session history, for stores that keep one (`appendHistory` and
 * `readHistory`). Registered by `describeStoreConformance`; skipped for a store without it.
 *
 * @module
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryEntry, HistoryLimits, SessionStore } from 'coatcheck/store-kit';
import { HOUR, MINUTE, buildRecord, randomId, randomUserId } from './records.js';
import type { SuiteHarness } from './harness.js';

const LIMITS: HistoryLimits = { perSession: 100, perUser: 1000 };
const ALL = 1000;

/** An entry of `sessionId` and `userId` at `at`, kept for an hour unless `expiresAt` says otherwise. */
function entry(sessionId: string, userId: string, at: number, more: Partial<HistoryEntry> = {}): HistoryEntry {
  return { at, type: 'refreshed', sessionId, previousId: null, userId, actor: 'user', reason: null, ip: null, userAgent: null, expiresAt: at + HOUR, ...more };
}

type HistoryCapable = SessionStore & Required<Pick<SessionStore, 'appendHistory' | 'readHistory'>>;

/** Whether `store` keeps a history; a store with one of the two methods fails here. */
function keepsHistory(store: SessionStore): store is HistoryCapable {
  assert.equal(typeof store.appendHistory, typeof store.readHistory, 'appendHistory and readHistory go together');
  return typeof store.appendHistory === 'function';
}

const NO_HISTORY = 'the store keeps no history';

/** Registers the history tests; each is skipped for a store without a history. */
export function describeHistory(harness: SuiteHarness): void {
  const test = (name: string, body: (store: HistoryCapable) => Promise<void>) =>
    it(name, async (t) => {
      const store = await harness.open();
      try {
        if (keepsHistory(store)) await body(store);
        else t.skip(NO_HISTORY);
      } finally {
        await harness.release(store);
      }
    });

  describe('session history', () => {
    test('entries read back exactly, per session and per user, newest first', async (store) => {
      const now = Date.now();
      const userId = randomUserId();
      const [a, b] = [randomId(), randomId()];
      const full = entry(a, userId, now - 3000, {
        type: 'upgraded',
        previousId: randomId(),
        actor: 'admin:7',
        reason: 'login',
        ip: '2001:db8::1',
        userAgent: 'Mozilla/5.0 "quoted" \\ ünïcode',
      });
      await store.appendHistory([full, entry(b, userId, now - 2000)], LIMITS);
      await store.appendHistory([entry(a, userId, now - 1000, { type: 'revoked', reason: 'logout' })], LIMITS);
      await store.appendHistory([entry(randomId(), randomUserId(), now)], LIMITS);
      const mine = await store.readHistory({ sessionId: a }, { limit: ALL, now });
      assert.deepStrictEqual(mine, [entry(a, userId, now - 1000, { type: 'revoked', reason: 'logout' }), full]);
      const theirs = await store.readHistory({ userId }, { limit: ALL, now });
      assert.deepStrictEqual(
        theirs.map((e) => [e.sessionId, e.at]),
        [
          [a, now - 1000],
          [b, now - 2000],
          [a, now - 3000],
        ],
      );
      assert.deepStrictEqual(await store.readHistory({ sessionId: randomId() }, { limit: ALL, now }), []);
      assert.deepStrictEqual(await store.readHistory({ userId: randomUserId() }, { limit: ALL, now }), []);
    });

    test('entries of the same millisecond come newest-appended first; limit and before page back', async (store) => {
      const now = Date.now();
      const userId = randomUserId();
      const id = randomId();
      const types = ['created', 'rotated', 'refreshed', 'revoked'] as const;
      await store.appendHistory(
        types.slice(0, 2).map((type) => entry(id, userId, now - MINUTE, { type })),
        LIMITS,
      );
      for (const type of types.slice(2)) await store.appendHistory([entry(id, userId, now - MINUTE, { type })], LIMITS);
      const newest = await store.readHistory({ sessionId: id }, { limit: 2, now });
      assert.deepStrictEqual(
        newest.map((e) => e.type),
        ['revoked', 'refreshed'],
      );
      await store.appendHistory([entry(id, userId, now - 2 * MINUTE, { type: 'step_up' })], LIMITS);
      const older = await store.readHistory({ userId }, { limit: ALL, now, before: now - MINUTE });
      assert.deepStrictEqual(
        older.map((e) => e.type),
        ['step_up'],
      );
    });

    test('expired entries are invisible, and prune deletes them with the records', async (store) => {
      const now = Date.now();
      const userId = randomUserId();
      const id = randomId();
      await store.appendHistory(
        [entry(id, userId, now - 2 * MINUTE, { expiresAt: now + MINUTE }), entry(id, userId, now - MINUTE, { expiresAt: now + HOUR })],
        LIMITS,
      );
      const later = now + 2 * MINUTE;
      assert.deepStrictEqual(
        (await store.readHistory({ sessionId: id }, { limit: ALL, now: later })).map((e) => e.at),
        [now - MINUTE],
      );
      await store.prune(later);
      // Read at the earlier clock: only what prune left is there.
      assert.deepStrictEqual(
        (await store.readHistory({ userId }, { limit: ALL, now })).map((e) => e.at),
        [now - MINUTE],
      );
      assert.deepStrictEqual(
        (await store.readHistory({ sessionId: id }, { limit: ALL, now: later })).map((e) => e.at),
        [now - MINUTE],
      );
    });

    test('a session keeps its newest entries up to the bound, and a user theirs', async (store) => {
      const now = Date.now();
      const userId = randomUserId();
      const id = randomId();
      const limits = { perSession: 3, perUser: 4 };
      for (let i = 0; i < 5; i++) await store.appendHistory([entry(id, userId, now - 10_000 + i)], limits);
      assert.deepStrictEqual(
        (await store.readHistory({ sessionId: id }, { limit: ALL, now })).map((e) => e.at),
        [now - 9996, now - 9997, now - 9998],
      );
      const ids = Array.from({ length: 5 }, () => randomId());
      for (const [i, other] of ids.entries()) await store.appendHistory([entry(other, userId, now - 5000 + i)], limits);
      assert.deepStrictEqual(
        (await store.readHistory({ userId }, { limit: ALL, now })).map((e) => e.sessionId),
        ids.slice(1).reverse(),
      );
    });

    test('history outlives the record it belongs to', async (store) => {
      const now = Date.now();
      const record = buildRecord({ now, userId: randomUserId() });
      await store.create(record);
      await store.appendHistory([entry(record.id, record.userId as string, now, { type: 'revoked' })], LIMITS);
      await store.delete(record.id);
      await store.deleteByUser(record.userId as string);
      assert.deepStrictEqual(
        (await store.readHistory({ sessionId: record.id }, { limit: ALL, now })).map((e) => e.type),
        ['revoked'],
      );
    });

    it('history survives a restart: a new store on the same backend reads it', async (t) => {
      const { restart } = harness;
      const now = Date.now();
      const userId = randomUserId();
      const id = randomId();
      const first = await harness.open();
      try {
        if (!keepsHistory(first)) return t.skip(NO_HISTORY);
        if (restart === null) return t.skip('no restart option (an in-process backend)');
        await first.appendHistory([entry(id, userId, now - 1, { type: 'created' }), entry(id, userId, now, { type: 'revoked' })], LIMITS);
      } finally {
        await harness.release(first);
      }
      const second = await (restart as NonNullable<typeof restart>)(first);
      try {
        assert.ok(keepsHistory(second));
        const read = await second.readHistory({ userId }, { limit: ALL, now });
        assert.deepStrictEqual(
          read.map((e) => e.type),
          ['revoked', 'created'],
        );
      } finally {
        await harness.release(second);
      }
    });
  });
}
