/**
 * Walking every stored session, for operator tools (`coatcheck stats`, `prune --dry-run`).
 * Exported from `@coatcheck/postgres`. Reads in pages by id, so a large table never sits in
 * memory at once and no long transaction holds a snapshot.
 *
 * @module
 */
import { CorruptRecordError, type SessionRecord } from 'coatcheck/store-kit';
import { resolveOptions } from './options.js';
import { fromRow, SELECT_LIST, type SessionRow } from './row.js';
import type { PostgresStore } from './postgres-store.js';

/** Options of {@link scanPostgresSessions} and {@link measurePostgresStore}. */
export interface ScanPostgresOptions {
  /** The store's table, if it is not the default. @default 'coatcheck_sessions' */
  tableName?: string;
  /** The table's schema. @default the connection's `search_path` */
  schema?: string;
  /** Rows read per query. @default 1000 */
  pageSize?: number;
}

function namesOf(store: PostgresStore, options: ScanPostgresOptions) {
  // The store's own validation: identifiers are spliced into SQL, quoted.
  return resolveOptions({
    pool: store.pool,
    ...(options.tableName !== undefined ? { tableName: options.tableName } : {}),
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
  }).names;
}

/**
 * Every record in the table, expired ones not yet pruned included, in id order. Unreadable
 * rows are skipped (the store deletes them when a request reads them).
 *
 * @example
 * ```ts
 * for await (const record of scanPostgresSessions(store)) console.log(record.id, record.userId)
 * ```
 */
export async function* scanPostgresSessions(store: PostgresStore, options: ScanPostgresOptions = {}): AsyncGenerator<SessionRecord> {
  const { table } = namesOf(store, options);
  const pageSize = options.pageSize ?? 1000;
  let after = '';
  for (;;) {
    const { rows } = await store.pool.query<SessionRow>(
      `SELECT ${SELECT_LIST} FROM ${table} WHERE id > $1 ORDER BY id LIMIT ${Math.max(1, Math.floor(pageSize))}`,
      [after],
    );
    for (const row of rows) {
      try {
        yield fromRow(row);
      } catch (error) {
        if (!(error instanceof CorruptRecordError)) throw error;
      }
    }
    if (rows.length < pageSize) return;
    after = String(rows[rows.length - 1]?.id);
  }
}

/** The table's size with its indexes and TOAST data, in bytes; `null` when it does not exist. */
export async function measurePostgresStore(store: PostgresStore, options: ScanPostgresOptions = {}): Promise<number | null> {
  const { table } = namesOf(store, options);
  const { rows } = await store.pool.query<{ bytes: string | null }>('SELECT pg_total_relation_size(to_regclass($1)) AS bytes', [table]);
  const bytes = rows[0]?.bytes;
  return bytes === null || bytes === undefined ? null : Number(bytes);
}
