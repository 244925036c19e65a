/**
 * Conformance: the two writes on an existing record, `update` (compare-and-set on the version)
 * and `touch` (extend without a version change). Registered by `describeStoreConformance`.
 *
 * @module
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HOUR, MINUTE, buildRecord, nextVersion, randomUserId } from './records.js';
import { withStore, type SuiteHarness } from './harness.js';

/** Registers the `update` and `touch` tests. */
export function describeWrites(harness: SuiteHarness): void {
  describe('update', () => {
    it(
      'ok replaces every field and bumps the version',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, data: { step: 1 } });
        await store.create(record);
        const next = nextVersion(record, {
          userId: randomUserId(),
          data: { step: 2, nested: { ok: true } },
          lastSeenAt: now + MINUTE,
          expiresAt: now + 31 * MINUTE,
          persistent: true,
          authenticatedAt: now + MINUTE,
          secretHash: 'rotated-hash',
        });
        assert.equal(await store.update(next, 1, now + MINUTE), 'ok');
        assert.deepStrictEqual(await store.get(record.id, now + MINUTE), next);
        const third = nextVersion(next, { data: { step: 3 } });
        assert.equal(await store.update(third, 2, now + MINUTE), 'ok');
        assert.equal((await store.get(record.id, now + MINUTE))?.version, 3);
      }),
    );

    it(
      'SF-20 conflict on a stale or future version leaves the record untouched',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, data: { v: 1 } });
        await store.create(record);
        const v2 = nextVersion(record, { data: { v: 2 } });
        assert.equal(await store.update(v2, 1, now), 'ok');
        // A writer that loaded version 1 is now stale; one claiming version 5 never existed.
        assert.equal(await store.update(nextVersion(record, { data: { stale: true } }), 1, now), 'conflict');
        assert.equal(await store.update({ ...record, version: 6, data: { future: true } }, 5, now), 'conflict');
        assert.deepStrictEqual(await store.get(record.id, now), v2);
      }),
    );

    it(
      'SF-21 missing when the id is absent, and nothing is created',
      withStore(harness, async (store) => {
        const now = Date.now();
        const ghost = buildRecord({ now, userId: randomUserId() });
        assert.equal(await store.update(nextVersion(ghost), 1, now), 'missing');
        assert.equal(await store.get(ghost.id, now), null);
        assert.deepStrictEqual(await store.listByUser(ghost.userId ?? '', now), []);
      }),
    );

    it(
      'SF-21 missing after delete: a slow request cannot resurrect a destroyed session',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, userId: randomUserId(), data: { cart: ['a'] } });
        await store.create(record);
        const loadedBeforeLogout = await store.get(record.id, now);
        assert.ok(loadedBeforeLogout);
        assert.equal(await store.delete(record.id), true); // logout finishes first
        const late = nextVersion(loadedBeforeLogout, { data: { cart: ['a', 'b'] } });
        assert.equal(await store.update(late, loadedBeforeLogout.version, now + 1), 'missing');
        assert.equal(await store.get(record.id, now + 1), null);
        assert.deepStrictEqual(await store.listByUser(record.userId ?? '', now + 1), []);
      }),
    );

    it(
      'SF-21 missing when expired at now, even with the right version',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, idleMs: 10 * MINUTE });
        await store.create(record);
        const later = record.expiresAt;
        const next = nextVersion(record, { lastSeenAt: later, expiresAt: later + 30 * MINUTE });
        assert.equal(await store.update(next, 1, later), 'missing');
        assert.equal(await store.get(record.id, later), null);
        // Still the old record for a reader whose clock is before the expiry.
        assert.deepStrictEqual(await store.get(record.id, now), record);
      }),
    );
  });

  describe('touch', () => {
    it(
      'extends lastSeenAt and expiresAt without changing version or data',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, data: { keep: 'me' } });
        await store.create(record);
        const seen = now + 5 * MINUTE;
        assert.equal(await store.touch(record.id, seen, seen + 30 * MINUTE, seen), true);
        assert.deepStrictEqual(await store.get(record.id, seen), {
          ...record,
          lastSeenAt: seen,
          expiresAt: seen + 30 * MINUTE,
        });
        // An update based on the untouched version still succeeds: touch is not a write.
        assert.equal(await store.update(nextVersion(record), 1, seen), 'ok');
      }),
    );

    it(
      'SF-14 never shortens expiry and never moves lastSeenAt back',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, lastSeenAt: now + 2 * MINUTE, expiresAt: now + 30 * MINUTE });
        await store.create(record);
        assert.equal(await store.touch(record.id, now + MINUTE, now + 10 * MINUTE, now + MINUTE), true);
        assert.deepStrictEqual(await store.get(record.id, now + MINUTE), record);
      }),
    );

    it(
      'SF-14 never passes absoluteExpiresAt',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, absoluteExpiresAt: now + HOUR, expiresAt: now + 30 * MINUTE });
        await store.create(record);
        const seen = now + 50 * MINUTE - 1;
        assert.equal(await store.touch(record.id, seen, seen + 30 * MINUTE, seen - 20 * MINUTE), true);
        const read = await store.get(record.id, seen - 20 * MINUTE);
        assert.equal(read?.expiresAt, now + HOUR);
        assert.equal(read?.lastSeenAt, seen);
        // Touching again past the limit changes nothing, and the record dies at the limit.
        assert.equal(await store.touch(record.id, seen + 1, now + 10 * HOUR, seen - 20 * MINUTE), true);
        assert.equal((await store.get(record.id, seen - 20 * MINUTE))?.expiresAt, now + HOUR);
        assert.equal(await store.get(record.id, now + HOUR), null);
      }),
    );

    it(
      'returns false and never creates when the id is absent or deleted',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now });
        assert.equal(await store.touch(record.id, now, now + 30 * MINUTE, now), false);
        assert.equal(await store.get(record.id, now), null);
        await store.create(record);
        await store.delete(record.id);
        assert.equal(await store.touch(record.id, now, now + 30 * MINUTE, now), false);
        assert.equal(await store.get(record.id, now), null);
      }),
    );

    it(
      'LC-10 returns false for a record expired at now and does not revive it',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, idleMs: 10 * MINUTE });
        await store.create(record);
        const later = record.expiresAt + MINUTE;
        assert.equal(await store.touch(record.id, later, later + 30 * MINUTE, later), false);
        assert.equal(await store.get(record.id, later), null);
        assert.deepStrictEqual(await store.get(record.id, now), record);
      }),
    );
  });
}
