/**
 * Conversion between `SessionRecord` and a table row. Reading is defensive: a row written by
 * hand, by another tool or by an older version must never reach the manager as a session
 * (SF-23), so every column is checked and a bad one is reported by name. Internal.
 *
 * @module
 */
import type { SessionData, SessionRecord } from 'coatcheck';
import { decodeJson, encodeJson } from './json-codec.js';

/** A row as pg returns it; the types are what is hoped for, not guaranteed. */
export type SessionRow = Record<(typeof COLUMNS)[number], unknown>;

/** Thrown by {@link fromRow}; names the bad column, never its contents. */
export class CorruptRowError extends Error {
  constructor(column: string, problem: string) {
    super(`column ${column} ${problem}`);
    this.name = 'CorruptRowError';
  }
}

/** The columns of the table, in order; `toParams` binds them as `$1..$13`. */
export const COLUMNS = Object.freeze([
  'id', 'secret_hash', 'user_id', 'data', 'version', 'created_at', 'last_seen_at', 'expires_at',
  'absolute_expires_at', 'persistent', 'authenticated_at', 'user_agent', 'ip',
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

function text(row: SessionRow, column: keyof SessionRow): string {
  const value = row[column];
  if (typeof value !== 'string') throw new CorruptRowError(column, `is ${value === null ? 'NULL' : typeof value}, expected text`);
  return value;
}
function optionalText(row: SessionRow, column: keyof SessionRow): string | null {
  return row[column] === null ? null : text(row, column);
}
// bigint arrives as a decimal string (pg's default) or as a number when the application set
// a global int8 parser; either way it must be an integer a double holds exactly.
function time(row: SessionRow, column: keyof SessionRow): number {
  const value = row[column];
  const number = typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
    throw new CorruptRowError(column, 'is not an integer number of milliseconds within 2^53');
  }
  return number;
}
function parseData(row: SessionRow): SessionData {
  let data: unknown;
  try {
    data = decodeJson(text(row, 'data'));
  } catch (error) {
    if (error instanceof CorruptRowError) throw error;
    throw new CorruptRowError('data', 'is not valid JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new CorruptRowError('data', 'is not a JSON object');
  }
  return data as SessionData;
}

/** Rebuilds a record from a row; throws {@link CorruptRowError} on any unexpected value. */
export function fromRow(row: SessionRow): SessionRecord {
  const version = row.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new CorruptRowError('version', 'is not a positive integer');
  }
  if (typeof row.persistent !== 'boolean') throw new CorruptRowError('persistent', 'is not a boolean');
  return {
    id: text(row, 'id'),
    secretHash: text(row, 'secret_hash'),
    userId: optionalText(row, 'user_id'),
    data: parseData(row),
    version,
    createdAt: time(row, 'created_at'),
    lastSeenAt: time(row, 'last_seen_at'),
    expiresAt: time(row, 'expires_at'),
    absoluteExpiresAt: time(row, 'absolute_expires_at'),
    persistent: row.persistent,
    authenticatedAt: row.authenticated_at === null ? null : time(row, 'authenticated_at'),
    device: { userAgent: optionalText(row, 'user_agent'), ip: optionalText(row, 'ip') },
  };
}
