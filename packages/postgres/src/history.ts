/**
 * The session history of the Postgres store: one table beside the sessions table
 * (`<table>_history`, created with it), one row per entry. An append is one transaction: a
 * multi-row insert, then the trims that keep each session's and user's newest entries.
 * Expired entries are deleted in batches by the store's prune. Internal.
 *
 * @module
 */
import { checkHistoryEntry, type HistoryEntry, type HistoryLimits, type HistoryQuery, type HistoryReadOptions } from 'coatcheck/store-kit';
import type { RunQuery } from './prune.js';
import { PRUNE_BATCH, type Statements } from './schema.js';

interface HistoryRow {
  at: unknown;
  type: unknown;
  session_id: unknown;
  previous_id: unknown;
  user_id: unknown;
  actor: unknown;
  reason: unknown;
  ip: unknown;
  user_agent: unknown;
  expires_at: unknown;
}

// bigint arrives as a decimal string (pg's default), or a number with a global int8 parser.
const bigint = (value: unknown): unknown => (typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value);

function fromRow(row: HistoryRow): HistoryEntry | null {
  return checkHistoryEntry({
    at: bigint(row.at),
    type: row.type,
    sessionId: row.session_id,
    previousId: row.previous_id,
    userId: row.user_id,
    actor: row.actor,
    reason: row.reason,
    ip: row.ip,
    userAgent: row.user_agent,
    expiresAt: bigint(row.expires_at),
  });
}

/** Appends `entries` and trims their sessions' and users' histories, in one transaction. */
export async function appendHistory(run: RunQuery, statements: Statements, entries: readonly HistoryEntry[], limits: HistoryLimits): Promise<void> {
  const column = <K extends keyof HistoryEntry>(key: K) => entries.map((entry) => entry[key]);
  const values = [
    column('at'),
    column('type'),
    column('sessionId'),
    column('previousId'),
    column('userId'),
    column('actor'),
    column('reason'),
    column('ip'),
    column('userAgent'),
    column('expiresAt'),
  ];
  await run('appendHistory', async (query) => {
    await query('BEGIN');
    await query(statements.historyInsert, values);
    await query(statements.historyTrimSessions, [[...new Set(column('sessionId'))], limits.perSession]);
    await query(statements.historyTrimUsers, [[...new Set(column('userId'))], limits.perUser]);
    await query('COMMIT');
  });
}

/** One session's or user's entries live at `now`, newest first. */
export async function readHistory(run: RunQuery, statements: Statements, query: HistoryQuery, options: HistoryReadOptions): Promise<HistoryEntry[]> {
  const { limit, before, now } = options;
  const [text, key] = query.sessionId !== undefined ? [statements.historyBySession, query.sessionId] : [statements.historyByUser, query.userId];
  const { rows } = await run('readHistory', (q) => q<HistoryRow & Record<string, unknown>>(text, [key, now, before ?? Number.MAX_SAFE_INTEGER, limit]));
  return rows.map(fromRow).filter((entry): entry is HistoryEntry => entry !== null);
}

/** Deletes entries expired at `now`, batch by batch like the records. */
export async function pruneHistory(run: RunQuery, statements: Statements, now: number): Promise<void> {
  for (;;) {
    const result = await run('prune history', (query) => query(statements.historyPruneBatch, [now]));
    if ((result.rowCount ?? 0) < PRUNE_BATCH) return;
  }
}
