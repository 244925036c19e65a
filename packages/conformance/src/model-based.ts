/**
 * Conformance: model-based property test (SF-01). Random sequences of every store operation,
 * with a moving clock, run side by side on the store under test and on a fresh `memoryStore`,
 * the reference model; every result must match. Registered by `describeStoreConformance`.
 *
 * @module
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memoryStore } from 'coatcheck/memory';
import type { SessionRecord, SessionStore } from 'coatcheck/store-kit';
import { buildRecord, nextVersion, randomId, randomUserId } from './records.js';
import { ID_SLOTS, MAX_ADVANCE, MAX_OPS, USER_SLOTS, opsArbitrary, type Op } from './model-ops.js';
import type { SuiteHarness } from './harness.js';

interface Run {
  readonly store: SessionStore;
  readonly ref: SessionStore;
  readonly ids: readonly string[];
  readonly users: readonly string[];
  readonly nativeExpiry: boolean;
  now: number;
}

function pick<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no slot ${index}`);
  return item;
}

const byAge = (a: SessionRecord, b: SessionRecord): number => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1);
const sorted = (ids: readonly string[]): string[] => [...ids].sort();

// Lists are compared as sets in oldest-first order; the contract does not order equal createdAt.
function assertSameList(actual: SessionRecord[], expected: SessionRecord[]): void {
  for (let i = 1; i < actual.length; i++) {
    assert.ok(pick(actual, i - 1).createdAt <= pick(actual, i).createdAt, 'listByUser must be oldest first');
  }
  assert.deepStrictEqual([...actual].sort(byAge), [...expected].sort(byAge));
}

async function liveIds(run: Run): Promise<Set<string>> {
  const live = new Set<string>();
  for (const id of run.ids) if (await run.ref.get(id, run.now)) live.add(id);
  return live;
}

async function step(run: Run, op: Op): Promise<void> {
  const { store, ref, now } = run;
  switch (op.kind) {
    case 'create': {
      const id = pick(run.ids, op.slot);
      const userId = op.user === null ? null : pick(run.users, op.user);
      const record = buildRecord({
        now,
        id,
        userId,
        data: op.data,
        persistent: op.persistent,
        idleMs: op.idleMs,
        absoluteMs: op.idleMs + op.extraAbsoluteMs,
      });
      // A backend with native expiry may or may not still hold an expired, unpruned record.
      const lenient = run.nativeExpiry && (await ref.get(id, now)) === null;
      const created = await store.create(record);
      if (!lenient) assert.equal(created, await ref.create(record));
      else if (created) {
        await ref.delete(id);
        await ref.create(record);
      }
      return;
    }
    case 'get': {
      const id = pick(run.ids, op.slot);
      assert.deepStrictEqual(await store.get(id, now), await ref.get(id, now));
      return;
    }
    case 'update': {
      const id = pick(run.ids, op.slot);
      const base = (await ref.get(id, now)) ?? buildRecord({ now, id });
      const userId = op.user === 'same' ? base.userId : op.user === null ? null : pick(run.users, op.user);
      const next = nextVersion(base, {
        userId,
        data: op.data,
        lastSeenAt: now,
        expiresAt: Math.min(now + op.idleMs, base.absoluteExpiresAt),
        authenticatedAt: userId === null ? null : (base.authenticatedAt ?? now),
      });
      const expected = base.version + op.versionDelta;
      assert.equal(await store.update(next, expected, now), await ref.update(next, expected, now));
      return;
    }
    case 'touch': {
      const id = pick(run.ids, op.slot);
      const args = [id, now + op.seenDeltaMs, now + op.idleMs, now] as const;
      assert.equal(await store.touch(...args), await ref.touch(...args));
      return;
    }
    case 'delete': {
      const id = pick(run.ids, op.slot);
      const lenient = run.nativeExpiry && (await ref.get(id, now)) === null;
      const deleted = await store.delete(id);
      const expected = await ref.delete(id);
      if (!lenient) assert.equal(deleted, expected);
      return;
    }
    case 'listByUser': {
      const userId = pick(run.users, op.user);
      assertSameList(await store.listByUser(userId, now), await ref.listByUser(userId, now));
      return;
    }
    case 'deleteByUser': {
      const userId = pick(run.users, op.user);
      const except = op.except === null ? undefined : pick(run.ids, op.except);
      const live = await liveIds(run);
      const deleted = await store.deleteByUser(userId, except);
      const expected = await ref.deleteByUser(userId, except);
      if (!run.nativeExpiry) {
        assert.deepStrictEqual(sorted(deleted), sorted(expected));
        return;
      }
      // Records that expired unpruned may or may not be reported; live ones must match exactly.
      const isLive = (id: string): boolean => live.has(id);
      assert.deepStrictEqual(sorted(deleted.filter(isLive)), sorted(expected.filter(isLive)));
      for (const id of deleted) assert.ok(run.ids.includes(id), `deleteByUser returned a foreign id ${id}`);
      return;
    }
    case 'prune': {
      const removed = await store.prune(now);
      const expected = await ref.prune(now);
      if (!run.nativeExpiry) assert.equal(removed, expected);
      return;
    }
    case 'advance':
      run.now += op.ms;
      return;
  }
}

// After the sequence, every id and every user must look the same through both stores.
async function assertSameState(run: Run): Promise<void> {
  for (const id of run.ids) assert.deepStrictEqual(await run.store.get(id, run.now), await run.ref.get(id, run.now));
  for (const userId of run.users) {
    assertSameList(await run.store.listByUser(userId, run.now), await run.ref.listByUser(userId, run.now));
  }
}

async function execute(harness: SuiteHarness, ops: readonly Op[]): Promise<void> {
  const store = await harness.open();
  const ref = memoryStore({ sweepIntervalMs: 0, quiet: true });
  const start = Date.now();
  const run: Run = {
    store,
    ref,
    ids: Array.from({ length: ID_SLOTS }, randomId),
    users: Array.from({ length: USER_SLOTS }, randomUserId),
    nativeExpiry: harness.options.nativeExpiry,
    now: start,
  };
  try {
    // A shared backend may hold other tests' records that would expire during this run and
    // inflate prune counts; clear them first. A fresh store has nothing to clear.
    await store.prune(start + MAX_OPS * MAX_ADVANCE);
    for (const [index, op] of ops.entries()) {
      try {
        await step(run, op);
      } catch (error) {
        throw new Error(`step ${index} ${op.kind} diverged from the memory model`, { cause: error });
      }
    }
    await assertSameState(run);
  } finally {
    await ref.close();
    await harness.release(store);
  }
}

/** Registers the model-based property test. */
export function describeModelBased(harness: SuiteHarness): void {
  describe('model-based', () => {
    it('SF-01 random operation sequences give the same results as the memory store', async () => {
      await fc.assert(
        fc.asyncProperty(opsArbitrary, (ops) => execute(harness, ops)),
        { numRuns: harness.options.numRuns },
      );
    });
  });
}
