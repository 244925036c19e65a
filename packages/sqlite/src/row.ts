/**
 * Conversion between `SessionRecord` and a table row. Reading is defensive: a row written by
 * hand, by an older version or by a damaged file must never reach the manager as a session
 * (SF-23), so every column is checked (`checkRecord` of `coatcheck/store-kit`) and a bad one is
 * reported by name. Internal.
 *
 * @module
 */
import { checkRecord, decodeFlag, parseDataJson, type SessionRecord, type RecordField } from 'coatcheck/store-kit';

/** A row as the driver returns it; the types are what is hoped for, not guaranteed. */
export interface SessionRow {
  id: unknown;
  secret_hash: unknown;
  user_id: unknown;
  data: unknown;
  version: unknown;
  created_at: unknown;
  last_seen_at: unknown;
  expires_at: unknown;
  absolute_expires_at: unknown;
  persistent: unknown;
  authenticated_at: unknown;
  user_agent: unknown;
  ip: unknown;
}

/** Bind parameters of an insert or full update, in the named-parameter form. */
export interface RowParams {
  id: string;
  secret_hash: string;
  user_id: string | null;
  data: string;
  version: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  absolute_expires_at: number;
  persistent: 0 | 1;
  authenticated_at: number | null;
  user_agent: string | null;
  ip: string | null;
}

/** The columns of the table, in order: the order of {@link SessionValues} too. */
export const COLUMNS = Object.freeze([
  'id',
  'secret_hash',
  'user_id',
  'data',
  'version',
  'created_at',
  'last_seen_at',
  'expires_at',
  'absolute_expires_at',
  'persistent',
  'authenticated_at',
  'user_agent',
  'ip',
] as const satisfies readonly (keyof SessionRow)[]);

/** Flattens a record into bind parameters; `data` is stored as JSON text. */
export function toParams(record: SessionRecord): RowParams {
  return {
    id: record.id,
    secret_hash: record.secretHash,
    user_id: record.userId,
    data: JSON.stringify(record.data),
    version: record.version,
    created_at: record.createdAt,
    last_seen_at: record.lastSeenAt,
    expires_at: record.expiresAt,
    absolute_expires_at: record.absoluteExpiresAt,
    persistent: record.persistent ? 1 : 0,
    authenticated_at: record.authenticatedAt,
    user_agent: record.device.userAgent,
    ip: record.device.ip,
  };
}

// A column's name for messages: the report names the column, never its contents.
const COLUMN_OF: Readonly<Record<RecordField, keyof SessionRow>> = {
  id: 'id',
  secretHash: 'secret_hash',
  userId: 'user_id',
  data: 'data',
  version: 'version',
  createdAt: 'created_at',
  lastSeenAt: 'last_seen_at',
  expiresAt: 'expires_at',
  absoluteExpiresAt: 'absolute_expires_at',
  persistent: 'persistent',
  authenticatedAt: 'authenticated_at',
  userAgent: 'user_agent',
  ip: 'ip',
};
const column = (field: RecordField): string => `column ${COLUMN_OF[field]}`;
const DATA_COLUMN = column('data');

/** A row read as an array of its values, in the order of {@link COLUMNS}. */
export type SessionValues = readonly unknown[];

/**
 * Rebuilds a record from a row's values (in the order of {@link COLUMNS}) with the kit's one
 * rule; throws `CorruptRecordError` naming the column. Only what SQLite changes is undone
 * first: data is JSON text, persistent 0/1. The request path reads rows as arrays: the
 * driver builds an array faster than an object with a key per column.
 */
export function fromValues(values: SessionValues): SessionRecord {
  return checkRecord(
    {
      id: values[0],
      secretHash: values[1],
      userId: values[2],
      data: parseDataJson(values[3], DATA_COLUMN),
      version: values[4],
      createdAt: values[5],
      lastSeenAt: values[6],
      expiresAt: values[7],
      absoluteExpiresAt: values[8],
      persistent: decodeFlag(values[9]),
      authenticatedAt: values[10],
      userAgent: values[11],
      ip: values[12],
    },
    column,
  );
}

/** {@link fromValues} for a row read as an object (`SELECT *`, off the request path). */
export function fromRow(row: SessionRow): SessionRecord {
  return fromValues(COLUMNS.map((name) => row[name]));
}
