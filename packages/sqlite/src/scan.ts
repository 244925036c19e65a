/**
 * Walking every stored session, for operator tools (`coatcheck stats`, `prune --dry-run`).
 * Exported from `@coatcheck/sqlite`. Reads only; never part of a request's path.
 *
 * @module
 */
import { statSync } from 'node:fs';
import { CorruptRecordError, type SessionRecord } from 'coatcheck/store-kit';
import { resolveOptions } from './options.js';
import { fromRow, type SessionRow } from './row.js';
import type { SqliteStore } from './sqlite-store.js';

/** Options of {@link scanSqliteSessions} and {@link measureSqliteStore}. */
export interface ScanSqliteOptions {
  /** The store's table, if it is not the default. @default 'coatcheck_sessions' */
  tableName?: string;
}

function tableOf(store: SqliteStore, options: ScanSqliteOptions): string {
  // The store's own validation: the name is spliced into SQL, quoted.
  return `"${resolveOptions({ database: store.db, ...(options.tableName !== undefined ? { tableName: options.tableName } : {}) }).tableName}"`;
}

/**
 * Every record in the table, expired ones not yet pruned included, in id order. Unreadable
 * rows are skipped (the store deletes them when a request reads them).
 *
 * @example
 * ```ts
 * let live = 0
 * for (const record of scanSqliteSessions(store)) if (record.expiresAt > Date.now()) live++
 * ```
 */
export function* scanSqliteSessions(store: SqliteStore, options: ScanSqliteOptions = {}): Generator<SessionRecord> {
  const statement = store.db.prepare<SessionRow>(`SELECT * FROM ${tableOf(store, options)} ORDER BY id`);
  for (const row of statement.iterate()) {
    try {
      yield fromRow(row);
    } catch (error) {
      if (!(error instanceof CorruptRecordError)) throw error;
    }
  }
}

/** Size of the database on disk (main file plus WAL), in bytes; `null` for an in-memory one. */
export function measureSqliteStore(store: SqliteStore): number | null {
  const file = store.db.filename;
  if (file === null) return null;
  const size = (path: string) => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  };
  return size(file) + size(`${file}-wal`);
}
