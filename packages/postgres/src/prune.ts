/**
 * Deleting expired rows: batch by batch on demand, and once per interval across every
 * instance on a timer. Internal.
 *
 * Each instance runs a timer, but a tick only prunes after it claims the interval in the
 * meta table (`claimPrune` in `schema.ts`): the first instance whose tick comes at least one
 * interval after the last claim wins, the others skip. Four instances with a one-minute
 * interval therefore prune about once a minute, not four times.
 *
 * @module
 */
import { WARNINGS } from 'coatcheck/warnings';
import { STORE_ERRORS } from './runner.js';
import { PRUNE_BATCH, type Statements } from './schema.js';
import type { Query } from './runner.js';
import { pruneHistory } from './history.js';

/** Warning code emitted when a scheduled prune fails. */
export const PRUNE_FAILED_WARNING = WARNINGS.POSTGRES_PRUNE_FAILED.code;

/** Runs one statement batch through the store's call path (schema, deadline, errors). */
export type RunQuery = <T>(operation: string, work: (query: Query) => Promise<T>) => Promise<T>;

/**
 * Deletes every row expired at `now` and returns how many. Batches are separate statements
 * (each its own transaction and deadline), so a backlog of a million rows never holds a
 * million row locks, and a slow prune cannot run into `opTimeoutMs` as one huge statement.
 */
export async function pruneExpired(run: RunQuery, statements: Statements, now: number): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await run('prune', (query) => query(statements.pruneBatch, [now]));
    const deleted = result.rowCount ?? 0;
    total += deleted;
    if (deleted < PRUNE_BATCH) break;
  }
  // History entries expired at `now` go with the records (not counted: the count is of records).
  await pruneHistory(run, statements, now);
  return total;
}

/** What the prune timer needs from the store. */
export interface ScheduleOptions {
  readonly run: RunQuery;
  readonly statements: Statements;
  readonly intervalMs: number;
  /** Advisory-lock key of this table's prune claim. */
  readonly lockKey: string;
  readonly now: () => number;
  readonly isClosed: () => boolean;
}

/**
 * Starts the unref'd prune timer; returns the function that stops it. Failures are process
 * warnings (`COATCHECK_W005`), never exceptions: pruning is housekeeping, and expired rows
 * are invisible to reads whether or not it ran.
 */
export function schedulePrune(options: ScheduleOptions): () => void {
  const { run, statements, intervalMs, lockKey, now, isClosed } = options;
  let running = false;
  async function tick(): Promise<void> {
    // A tick that outlasts the interval (huge backlog) is not stacked with another.
    if (running || isClosed()) return;
    running = true;
    try {
      const claim = await run('prune claim', (query) => query(statements.claimPrune, [lockKey, intervalMs]));
      if (claim.rowCount === 1) await pruneExpired(run, statements, now());
    } catch (error) {
      // Closing mid-prune is not a failure worth reporting.
      if (!isClosed()) process.emitWarning(STORE_ERRORS.wrap('scheduled prune', error).message, { code: PRUNE_FAILED_WARNING });
    } finally {
      running = false;
    }
  }
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
