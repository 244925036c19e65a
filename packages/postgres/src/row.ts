/**
 * Conversion between `SessionRecord` and a table row. Reading is defensive: a row written by
 * hand, by another tool or by an older version must never reach the manager as a session
 * (SF-23), so every column is checked (`checkRecord` of `coatcheck/store-kit`) and a bad one is
 * reported by name. Internal.
 *
 * @module
 */
import { checkRecord, parseDataJson, type SessionRecord, type RecordField } from 'coatcheck/store-kit';
import { decodeJson, encodeJson } from './json-codec.js';

/** A row as pg returns it; the types are what is hoped for, not guaranteed. */
export type SessionRow = Record<(typeof COLUMNS)[number], unknown>;

/** The columns of the table, in order; `toParams` binds them as `$1..$13`. */
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
] as const);

/** The select list: `data` comes back as text so it is decoded (and checked) here. */
export const SELECT_LIST = COLUMNS.map((c) => (c === 'data' ? 'data::text AS data' : c)).join(', ');

/**
 * Flattens a record into bind parameters in {@link COLUMNS} order. Serializing happens here,
 * before any driver call, so data JSON cannot represent (BigInt, a cycle) is the caller's
 * TypeError, exactly as with the memory store, never a store outage.
 */
export function toParams(record: SessionRecord): unknown[] {
  return [
    record.id,
    record.secretHash,
    record.userId,
    encodeJson(record.data),
    record.version,
    record.createdAt,
    record.lastSeenAt,
    record.expiresAt,
    record.absoluteExpiresAt,
    record.persistent,
    record.authenticatedAt,
    record.device.userAgent,
    record.device.ip,
  ];
}

// A column's name for messages: the report names the column, never its contents.
const COLUMN_OF: Readonly<Record<RecordField, (typeof COLUMNS)[number]>> = {
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

// bigint arrives as a decimal string (pg's default) or as a number when the application set
// a global int8 parser. Up to 16 digits become a number for checkRecord to judge (beyond
// 2^53 it refuses); anything else is passed on unchanged, for it to refuse as well.
function bigint(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
}

/**
 * Rebuilds a record from a row with the kit's one rule; throws `CorruptRecordError` naming
 * the column. Only what Postgres changes is undone first: bigint text, escaped jsonb text.
 */
export function fromRow(row: SessionRow): SessionRecord {
  return checkRecord(
    {
      id: row.id,
      secretHash: row.secret_hash,
      userId: row.user_id,
      data: parseDataJson(row.data, column('data'), decodeJson),
      version: row.version,
      createdAt: bigint(row.created_at),
      lastSeenAt: bigint(row.last_seen_at),
      expiresAt: bigint(row.expires_at),
      absoluteExpiresAt: bigint(row.absolute_expires_at),
      persistent: row.persistent,
      authenticatedAt: bigint(row.authenticated_at),
      userAgent: row.user_agent,
      ip: row.ip,
    },
    column,
  );
}
