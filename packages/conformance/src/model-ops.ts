/**
 * The operations of the model-based test and their fast-check arbitraries. Operations name
 * ids and users by slot in a small per-run pool, so collisions, conflicts and cross-user
 * moves happen often. Internal to `@coatcheck/conformance`.
 *
 * @module
 */
import fc from 'fast-check';
import type { SessionData } from 'coatcheck/store-kit';
import { MINUTE } from './records.js';

/** Number of distinct ids per run. */
export const ID_SLOTS = 4;
/** Number of distinct users per run. */
export const USER_SLOTS = 3;
/** Longest generated sequence of operations. */
export const MAX_OPS = 40;
/** Largest single clock step. */
export const MAX_ADVANCE = 20 * MINUTE;

/** One step of a model-based run. Durations are ms; slots index the run's pools. */
export type Op =
  | { kind: 'create'; slot: number; user: number | null; idleMs: number; extraAbsoluteMs: number; persistent: boolean; data: SessionData }
  | { kind: 'get'; slot: number }
  | { kind: 'update'; slot: number; versionDelta: number; user: number | null | 'same'; idleMs: number; data: SessionData }
  | { kind: 'touch'; slot: number; seenDeltaMs: number; idleMs: number }
  | { kind: 'delete'; slot: number }
  | { kind: 'listByUser'; user: number }
  | { kind: 'deleteByUser'; user: number; except: number | null }
  | { kind: 'prune' }
  | { kind: 'advance'; ms: number };

// Whole minutes, so the clock lands exactly on expiry boundaries (expiresAt === now) often.
const minutes = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max }).map((m) => m * MINUTE);
const slot = fc.nat({ max: ID_SLOTS - 1 });
const user = fc.nat({ max: USER_SLOTS - 1 });
const data: fc.Arbitrary<SessionData> = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), {
  maxKeys: 4,
});

/** Arbitrary for one {@link Op}, weighted towards the writes whose interplay matters. */
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      slot,
      user: fc.option(user, { nil: null }),
      idleMs: minutes(1, 40),
      extraAbsoluteMs: minutes(0, 60),
      persistent: fc.boolean(),
      data,
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('get' as const), slot }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      slot,
      // Mostly the right version; sometimes stale (-1) or from the future (+1).
      versionDelta: fc.constantFrom(0, 0, 0, -1, 1),
      user: fc.oneof(fc.constant('same' as const), fc.option(user, { nil: null })),
      idleMs: minutes(1, 40),
      data,
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('touch' as const),
      slot,
      seenDeltaMs: minutes(-2, 2),
      idleMs: minutes(0, 60),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), slot }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('listByUser' as const), user }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('deleteByUser' as const),
      user,
      except: fc.option(slot, { nil: null }),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: 'prune' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: minutes(0, MAX_ADVANCE / MINUTE) }), weight: 3 },
);

/** Arbitrary for a whole run. */
export const opsArbitrary: fc.Arbitrary<Op[]> = fc.array(opArbitrary, { minLength: 1, maxLength: MAX_OPS, size: 'max' });
