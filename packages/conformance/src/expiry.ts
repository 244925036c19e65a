/**
 * Conformance: expiry is decided by the caller's `now`, at the exact boundary, whether or not
 * pruning ever ran; `prune` removes what is expired and nothing else. Registered by
 * `describeStoreConformance`.
 *
 * @module
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionStore } from 'coatcheck/store-kit';
import { HOUR, MINUTE, buildRecord, nextVersion, randomUserId } from './records.js';
import { withStore, type SuiteHarness } from './harness.js';

// Anything already in a shared backend that is expired at `at` would inflate prune's count,
// so the prune tests clear that first. On a fresh store this removes nothing.
async function drain(store: SessionStore, at: number): Promise<void> {
  await store.prune(at);
}

/** Registers the expiry and pruning tests. */
export function describeExpiry(harness: SuiteHarness): void {
  const { nativeExpiry } = harness.options;

  describe('expiry', () => {
    it(
      'LC-10 a record is visible before expiresAt and invisible from expiresAt on',
      withStore(harness, async (store) => {
        const now = Date.now();
        const userId = randomUserId();
        const record = buildRecord({ now, userId, idleMs: 20 * MINUTE });
        await store.create(record);
        assert.deepStrictEqual(await store.get(record.id, record.expiresAt - 1), record);
        assert.deepStrictEqual(await store.listByUser(userId, record.expiresAt - 1), [record]);
        // expiresAt <= now means dead: the boundary itself is already expired.
        assert.equal(await store.get(record.id, record.expiresAt), null);
        assert.deepStrictEqual(await store.listByUser(userId, record.expiresAt), []);
        assert.equal(await store.get(record.id, record.expiresAt + HOUR), null);
      }),
    );

    it(
      'LC-10 update returns missing at the expiry boundary and writes nothing',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, idleMs: 20 * MINUTE });
        await store.create(record);
        const next = nextVersion(record, { expiresAt: record.expiresAt + HOUR, data: { revived: true } });
        assert.equal(await store.update(next, 1, record.expiresAt), 'missing');
        assert.equal(await store.get(record.id, record.expiresAt), null);
        assert.deepStrictEqual(await store.get(record.id, now), record);
      }),
    );

    it(
      'LC-10 listByUser skips expired records and keeps live ones',
      withStore(harness, async (store) => {
        const now = Date.now();
        const userId = randomUserId();
        const short = buildRecord({ now, userId, idleMs: 10 * MINUTE });
        const long = buildRecord({ now: now + 1, userId, idleMs: 40 * MINUTE });
        await store.create(short);
        await store.create(long);
        assert.deepStrictEqual(await store.listByUser(userId, now + 20 * MINUTE), [long]);
        assert.deepStrictEqual(await store.listByUser(userId, now + 50 * MINUTE), []);
      }),
    );
  });

  describe('prune', () => {
    it(
      'SF-17 prune(now) removes expired records, returns the count, keeps live ones',
      withStore(harness, async (store) => {
        const now = Date.now();
        const at = now + 30 * MINUTE;
        await drain(store, at);
        const userId = randomUserId();
        const expired = [
          buildRecord({ now, userId, idleMs: 10 * MINUTE }),
          buildRecord({ now, idleMs: 20 * MINUTE }),
          buildRecord({ now, idleMs: 30 * MINUTE }), // expires exactly at `at`
        ];
        const live = [buildRecord({ now, userId, idleMs: 30 * MINUTE + 1 }), buildRecord({ now, idleMs: HOUR })];
        for (const record of [...expired, ...live]) assert.equal(await store.create(record), true);

        const removed = await store.prune(at);
        if (nativeExpiry) assert.ok(removed >= 0 && removed <= expired.length, `prune returned ${removed}`);
        else assert.equal(removed, expired.length);

        // Pruned means gone, not filtered: a reader with an earlier clock sees nothing either.
        if (!nativeExpiry) {
          for (const record of expired) assert.equal(await store.get(record.id, now), null);
          assert.equal(await store.prune(at), 0, 'a second prune finds nothing');
        }
        for (const record of live) assert.deepStrictEqual(await store.get(record.id, now), record);
        assert.deepStrictEqual(await store.listByUser(userId, now), [live[0]]);
      }),
    );

    it(
      'SF-17 prune before anything expired removes nothing',
      withStore(harness, async (store) => {
        const now = Date.now();
        await drain(store, now);
        const records = [buildRecord({ now }), buildRecord({ now, userId: randomUserId() })];
        for (const record of records) await store.create(record);
        assert.equal(await store.prune(now), 0);
        for (const record of records) assert.deepStrictEqual(await store.get(record.id, now), record);
      }),
    );

    it(
      'SF-17 a pruned id can be created again',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, idleMs: MINUTE });
        await store.create(record);
        await store.prune(now + MINUTE);
        const again = buildRecord({ now: now + 2 * MINUTE, id: record.id });
        assert.equal(await store.create(again), true);
        assert.deepStrictEqual(await store.get(record.id, now + 2 * MINUTE), again);
      }),
    );
  });
}
