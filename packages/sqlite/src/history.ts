/**
 * The session history of the SQLite store: one table beside the sessions table
 * (`<tableName>_history`), one row per entry, created with it. Appends and their trimming run
 * in one transaction; expired entries are deleted by the store's prune. Internal.
 *
 * @module
 */
import { checkHistoryEntry, type HistoryEntry, type HistoryLimits, type HistoryQuery, type HistoryReadOptions } from 'coatcheck/store-kit';
import type { SqliteConnection } from './driver/types.js';

/** A row of the history table. */
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

/** The history operations of one store, run synchronously inside the store's `attempt`. */
export interface SqliteHistory {
  append(entries: readonly HistoryEntry[], limits: HistoryLimits): void;
  read(query: HistoryQuery, options: HistoryReadOptions): HistoryEntry[];
  prune(now: number): void;
}

const quote = (identifier: string): string => `"${identifier}"`;
const COLUMNS = 'at, type, session_id, previous_id, user_id, actor, reason, ip, user_agent, expires_at';

/** Creates the history table and its indexes if they do not exist (older files get them at open). */
export function createHistorySchema(db: SqliteConnection, tableName: string): void {
  const table = quote(`${tableName}_history`);
  // `seq` (the rowid) keeps the append order, which breaks ties between entries of one millisecond.
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${table} (
      seq INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      type TEXT NOT NULL,
      session_id TEXT NOT NULL,
      previous_id TEXT,
      user_id TEXT NOT NULL,
      actor TEXT NOT NULL,
      reason TEXT,
      ip TEXT,
      user_agent TEXT,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ${quote(`${tableName}_history_session`)} ON ${table} (session_id, seq);
    CREATE INDEX IF NOT EXISTS ${quote(`${tableName}_history_user`)} ON ${table} (user_id, seq);
    CREATE INDEX IF NOT EXISTS ${quote(`${tableName}_history_expires`)} ON ${table} (expires_at);
  `);
}

function fromRow(row: HistoryRow): HistoryEntry | null {
  return checkHistoryEntry({
    at: row.at,
    type: row.type,
    sessionId: row.session_id,
    previousId: row.previous_id,
    userId: row.user_id,
    actor: row.actor,
    reason: row.reason,
    ip: row.ip,
    userAgent: row.user_agent,
    expiresAt: row.expires_at,
  });
}

/** Prepares the history statements once. */
export function prepareHistory(db: SqliteConnection, tableName: string): SqliteHistory {
  const table = quote(`${tableName}_history`);
  const insert = db.prepare(
    `INSERT INTO ${table} (${COLUMNS}) VALUES (@at, @type, @session_id, @previous_id, @user_id, @actor, @reason, @ip, @user_agent, @expires_at)`,
  );
  // Everything older than the `keep` newest of one session (or user) goes.
  const trim = (column: string) =>
    db.prepare(
      `DELETE FROM ${table} WHERE ${column} = @key AND seq <= (SELECT seq FROM ${table} WHERE ${column} = @key ORDER BY seq DESC LIMIT 1 OFFSET @keep)`,
    );
  const trimSession = trim('session_id');
  const trimUser = trim('user_id');
  const select = (column: string) =>
    db.prepare<HistoryRow>(`SELECT ${COLUMNS} FROM ${table} WHERE ${column} = ? AND expires_at > ? AND at < ? ORDER BY at DESC, seq DESC LIMIT ?`);
  const bySession = select('session_id');
  const byUser = select('user_id');
  const prune = db.prepare(`DELETE FROM ${table} WHERE expires_at <= ?`);

  const append = (entries: readonly HistoryEntry[], limits: HistoryLimits): void => {
    const sessions = new Set<string>();
    const users = new Set<string>();
    for (const e of entries) {
      insert.run({
        at: e.at,
        type: e.type,
        session_id: e.sessionId,
        previous_id: e.previousId,
        user_id: e.userId,
        actor: e.actor,
        reason: e.reason,
        ip: e.ip,
        user_agent: e.userAgent,
        expires_at: e.expiresAt,
      });
      sessions.add(e.sessionId);
      users.add(e.userId);
    }
    for (const key of sessions) trimSession.run({ key, keep: limits.perSession });
    for (const key of users) trimUser.run({ key, keep: limits.perUser });
  };

  return {
    append: (entries, limits) => db.transaction(() => append(entries, limits)),
    read(query, { limit, before, now }) {
      const statement = query.sessionId !== undefined ? bySession : byUser;
      const key = query.sessionId ?? query.userId;
      return statement
        .all(key as string, now, before ?? Number.MAX_SAFE_INTEGER, limit)
        .map(fromRow)
        .filter((entry): entry is HistoryEntry => entry !== null);
    },
    prune: (now) => void prune.run(now),
  };
}
