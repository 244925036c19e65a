/**
 * Conformance: reading, creating and deleting records, and what survives the round trip.
 * Registered by `describeStoreConformance`; not exported on its own.
 *
 * @module
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE, buildRecord, randomId, randomUserId } from './records.js';
import { withStore, type SuiteHarness } from './harness.js';

// Data a real app stores: the manager hands the store JSON-compatible objects, so every one
// of these must come back deep-equal. 2^53 + 1 and Dates travel as strings by design.
function richData(): Record<string, unknown> {
  return {
    cart: [
      { sku: 'A-1', qty: 2, price: 19.99 },
      { sku: 'B-2', qty: 1, price: 0.1 },
    ],
    nested: { a: { b: { c: { d: [1, [2, [3, { e: null }]]] } } } },
    unicode: 'héllo wörld · 日本語 · עברית · 😀👩‍👩‍👧 · \u0000\u001f\u2028\u2029 · "quotes" \\ /',
    'key with spaces & ünïcode 🔑': true,
    big: 'x'.repeat(1 << 20),
    numbers: [0, -1, 1.5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1e300, -2.5e-300],
    beyondSafe: '9007199254740993',
    when: new Date(0).toISOString(),
    yes: true,
    no: false,
    nothing: null,
    empty: { list: [], object: {}, text: '' },
  };
}

/** Registers the basic read/create/delete tests. */
export function describeBasics(harness: SuiteHarness): void {
  describe('basics', () => {
    it(
      'ping resolves',
      withStore(harness, async (store) => {
        await store.ping();
        assert.equal(typeof store.name, 'string');
        assert.ok(store.name.length > 0, 'name must be non-empty');
      }),
    );

    it(
      'get returns null for an unknown id',
      withStore(harness, async (store) => {
        assert.equal(await store.get(randomId(), Date.now()), null);
      }),
    );

    it(
      'SF-25 get round-trips every field of an anonymous record',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, userId: null, authenticatedAt: null, device: { userAgent: null, ip: null } });
        assert.equal(await store.create(record), true);
        assert.deepStrictEqual(await store.get(record.id, now), record);
      }),
    );

    it(
      'SF-25 get round-trips every field of an authenticated persistent record',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({
          now,
          userId: randomUserId(),
          persistent: true,
          authenticatedAt: now - 5 * MINUTE,
          createdAt: now - 10 * MINUTE,
          lastSeenAt: now - MINUTE,
          device: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) ✓', ip: '2001:db8::1' },
        });
        assert.equal(await store.create(record), true);
        assert.deepStrictEqual(await store.get(record.id, now), record);
      }),
    );

    it(
      'SF-25 data keeps nested objects, unicode, large strings, numbers, booleans and null',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now, data: richData() });
        assert.equal(await store.create(record), true);
        const read = await store.get(record.id, now);
        assert.ok(read, 'record must be readable');
        assert.deepStrictEqual(read.data, richData());
      }),
    );

    // A store may hand out copies, or frozen records it shares between reads (the memory
    // store does: no copy per read); either way nothing stored changes.
    it(
      'records handed out are copies or frozen: mutating them changes nothing stored',
      withStore(harness, async (store) => {
        const now = Date.now();
        const data = { list: [1, 2], inner: { flag: true } };
        const record = buildRecord({ now, data });
        await store.create(record);
        // Mutate both the object given to create and the one returned by get.
        data.list.push(3);
        const first = await store.get(record.id, now);
        assert.ok(first);
        const inner = (first.data as { inner: { flag: boolean } }).inner;
        if (Object.isFrozen(inner)) assert.throws(() => (inner.flag = false), TypeError);
        else inner.flag = false;
        const second = await store.get(record.id, now);
        assert.deepStrictEqual(second?.data, { list: [1, 2], inner: { flag: true } });
      }),
    );

    it(
      'TG-04 create returns false and changes nothing when the id exists',
      withStore(harness, async (store) => {
        const now = Date.now();
        const original = buildRecord({ now, userId: randomUserId(), data: { owner: 'first' } });
        assert.equal(await store.create(original), true);
        const intruderUser = randomUserId();
        const intruder = buildRecord({
          now: now + MINUTE,
          id: original.id,
          userId: intruderUser,
          data: { owner: 'second' },
          persistent: true,
        });
        assert.equal(await store.create(intruder), false);
        assert.deepStrictEqual(await store.get(original.id, now + MINUTE), original);
        assert.deepStrictEqual(await store.listByUser(intruderUser, now + MINUTE), []);
        assert.equal((await store.listByUser(original.userId ?? '', now + MINUTE)).length, 1);
      }),
    );

    it(
      'delete is idempotent and reports whether something was deleted',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now });
        const other = buildRecord({ now });
        await store.create(record);
        await store.create(other);
        assert.equal(await store.delete(record.id), true);
        assert.equal(await store.delete(record.id), false);
        assert.equal(await store.delete(randomId()), false);
        assert.equal(await store.get(record.id, now), null);
        assert.deepStrictEqual(await store.get(other.id, now), other, 'other records are untouched');
      }),
    );

    it(
      'a deleted id can be created again',
      withStore(harness, async (store) => {
        const now = Date.now();
        const record = buildRecord({ now });
        await store.create(record);
        await store.delete(record.id);
        const again = buildRecord({ now, id: record.id, data: { again: true } });
        assert.equal(await store.create(again), true);
        assert.deepStrictEqual(await store.get(record.id, now), again);
      }),
    );
  });
}
