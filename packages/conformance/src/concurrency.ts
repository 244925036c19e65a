/**
 * Conformance: racing callers. Compare-and-set must let exactly one writer win per version,
 * and "read, write, retry on conflict" must lose no update (SF-20). Registered by
 * `describeStoreConformance`.
 *
 * @module
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionStore, UpdateResult } from 'coatcheck/store-kit';
import { buildRecord, nextVersion, randomUserId } from './records.js';
import { withStore, type SuiteHarness } from './harness.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

// What the manager does on every write: load, apply, compare-and-set, reload on conflict.
// Bounded so a store that never says 'ok' fails the test instead of hanging it.
async function increment(store: SessionStore, id: string, now: number, maxAttempts: number): Promise<number> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const current = await store.get(id, now);
    if (!current) throw new Error('record vanished during the increment loop');
    const counter = Number(current.data.counter ?? 0);
    const result = await store.update(nextVersion(current, { data: { counter: counter + 1 } }), current.version, now);
    if (result === 'ok') return attempt;
    if (result !== 'conflict') throw new Error(`update returned ${result}`);
  }
  throw new Error(`no successful update in ${maxAttempts} attempts`);
}

/** Registers the concurrency tests. */
export function describeConcurrency(harness: SuiteHarness): void {
  const n = harness.options.concurrency;

  describe('concurrency', () => {
    it(
      `SF-20 ${n} concurrent updates from the same version: exactly one wins`,
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, data: { writer: -1 } });
        await store.create(record);
        const results: UpdateResult[] = await Promise.all(range(n).map((writer) => store.update(nextVersion(record, { data: { writer } }), 1, now)));
        assert.equal(results.filter((r) => r === 'ok').length, 1, `results: ${results.join(',')}`);
        assert.equal(results.filter((r) => r === 'conflict').length, n - 1);
        const winner = results.indexOf('ok');
        assert.deepStrictEqual(await store.get(record.id, now), nextVersion(record, { data: { writer: winner } }));
      }),
    );

    it(
      `SF-20 ${n} concurrent read-CAS-retry increments end at counter = ${n}`,
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, data: { counter: 0 } });
        await store.create(record);
        await Promise.all(range(n).map(() => increment(store, record.id, now, n + 1)));
        const final = await store.get(record.id, now);
        assert.equal(final?.data.counter, n);
        assert.equal(final?.version, n + 1);
      }),
    );

    it(
      `${n} concurrent creates of distinct ids all succeed and list correctly`,
      withStore(harness, async (store) => {
        const now = Date.now();
        const userId = randomUserId();
        const records = range(n).map((i) => buildRecord({ now, userId, createdAt: now - i, data: { i } }));
        const created = await Promise.all(records.map((record) => store.create(record)));
        assert.ok(created.every(Boolean), 'every create must succeed');
        const listed = await store.listByUser(userId, now);
        assert.deepStrictEqual(listed, [...records].reverse());
      }),
    );

    it(
      `TG-04 ${n} concurrent creates of one id: exactly one succeeds`,
      withStore(harness, async (store) => {
        const now = Date.now();
        const first = buildRecord({ now });
        const contenders = range(n).map((i) => buildRecord({ now, id: first.id, userId: randomUserId(), data: { i } }));
        const created = await Promise.all(contenders.map((record) => store.create(record)));
        assert.equal(created.filter(Boolean).length, 1);
        const winner = contenders[created.indexOf(true)];
        assert.deepStrictEqual(await store.get(first.id, now), winner);
      }),
    );

    it(
      'concurrent touches never shorten expiry',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now });
        await store.create(record);
        // Largest offsets first, so a store that keeps the last write would end low.
        const offsets = range(n).reverse();
        const touched = await Promise.all(offsets.map((i) => store.touch(record.id, now + i, record.expiresAt + i * 1000, now)));
        assert.ok(touched.every(Boolean));
        const final = await store.get(record.id, now);
        assert.equal(final?.expiresAt, record.expiresAt + (n - 1) * 1000);
        assert.equal(final?.lastSeenAt, now + n - 1);
        assert.equal(final?.version, 1);
      }),
    );
  });
}
