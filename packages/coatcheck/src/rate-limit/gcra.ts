/**
 * The one atomic step of the Generic Cell Rate Algorithm (GCRA) and the backend contract
 * built around it. Exported from `coatcheck/rate-limit`.
 *
 * GCRA keeps ONE number per key, the theoretical arrival time (TAT): the moment the key's
 * bucket will be empty again if nothing else arrives. A hit of weight `incrementMs` moves
 * the TAT forward by that much (from `now` if the TAT is already past); the hit is refused
 * when the new TAT would run further ahead of `now` than `capacityMs`, the burst expressed
 * as time. One number and one comparison is what lets every store do it in one round trip:
 * a Lua script on one Redis key, one SQL upsert, one SQLite write transaction.
 *
 * A backend only decides and stores; {@link createRateLimiter} turns its answer into
 * `remaining`, `retryAfterMs` and `resetMs`, so that arithmetic lives in one place.
 *
 * @module
 */

/** What {@link RateLimitBackend.consume} is asked to do for one key. */
export interface GcraStep {
  /** The limiter's clock, epoch milliseconds. */
  readonly now: number;
  /** How far one hit moves the TAT: the emission interval times the hit's cost (> 0). */
  readonly incrementMs: number;
  /** How far ahead of `now` the TAT may run: the emission interval times the burst (>= incrementMs). */
  readonly capacityMs: number;
}

/** The outcome of one step, as stored. */
export interface GcraOutcome {
  /** Whether the hit was let through (and the TAT moved). */
  readonly allowed: boolean;
  /**
   * The key's TAT after the step: the new one when allowed; when refused, the stored one
   * (never below `now`), unchanged by the refusal.
   */
  readonly tat: number;
}

/**
 * Storage for a rate limiter: one atomic primitive per key. Implementations must make
 * {@link consume} atomic across every process and connection sharing the storage (a
 * refusal must never be decided on a TAT another writer has already moved), and should
 * drop a key once its TAT has passed: such a key behaves exactly like an absent one.
 * `@coatcheck/conformance` exports `describeRateLimitConformance` to prove both.
 */
export interface RateLimitBackend {
  /** Short name for errors (`'memory'`, `'sqlite'`, `'redis'`, `'postgres'`). */
  readonly name: string;
  /**
   * Runs {@link stepGcra} atomically on `key`: reads the stored TAT (absent = `now`), decides,
   * and stores the new TAT when allowed, keeping it at least until the TAT has passed.
   * Failures reject with `SessionStoreError`.
   */
  consume(key: string, step: GcraStep): Promise<GcraOutcome>;
  /** Forgets `key`; its next hit starts with a full burst. */
  reset(key: string): Promise<void>;
  /**
   * Deletes keys whose TAT is at or before `now`; resolves with how many. Backends whose keys
   * expire by themselves (Redis) resolve with 0.
   */
  prune(now: number): Promise<number>;
  /** Releases what the backend opened itself (timers, connections); never the ones you passed. */
  close(): Promise<void>;
}

/**
 * The GCRA decision for a key whose stored TAT is `stored` (`undefined` when absent).
 * Backends that run JavaScript inside their atomic section (memory, SQLite) call this; the
 * Redis script and the Postgres statement are the same few lines in Lua and SQL, held to
 * the same behaviour by the conformance suite.
 *
 * @example
 * ```ts
 * import { stepGcra } from 'coatcheck/rate-limit'
 * stepGcra(undefined, { now: 0, incrementMs: 1000, capacityMs: 5000 }) // { allowed: true, tat: 1000 }
 * ```
 */
export function stepGcra(stored: number | undefined, step: GcraStep): GcraOutcome {
  const { now, incrementMs, capacityMs } = step;
  // A TAT in the past means the bucket refilled completely: the key starts again from now.
  const tat = stored !== undefined && stored > now ? stored : now;
  const next = tat + incrementMs;
  if (next - now > capacityMs) return { allowed: false, tat };
  return { allowed: true, tat: next };
}
