/**
 * Conversion between `SessionRecord` and a table row. Reading is defensive: a row written by
 * hand, by an older version or by a damaged file must never reach the manager as a session
 * (SF-23), so every column is checked and a bad one is reported by name. Internal.
 *
 * @module
 */
import type { SessionData, SessionRecord } from 'coatcheck';

/** A row as better-sqlite3 returns it; the types are what is hoped for, not guaranteed. */
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

/** Thrown by {@link fromRow}; names the bad column, never its contents. */
export class CorruptRowError extends Error {
  constructor(column: string, problem: string) {
    super(`column ${column} ${problem}`);
    this.name = 'CorruptRowError';
  }
}

/** The columns of the table, in order. */
export const COLUMNS = Object.freeze([
  'id', 'secret_hash', 'user_id', 'data', 'version', 'created_at', 'last_seen_at', 'expires_at',
  'absolute_expires_at', 'persistent', 'authenticated_at', 'user_agent', 'ip',
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

function text(row: SessionRow, column: keyof SessionRow): string {
  const value = row[column];
  if (typeof value !== 'string') throw new CorruptRowError(column, `is ${typeof value}, expected text`);
  return value;
}
function optionalText(row: SessionRow, column: keyof SessionRow): string | null {
  return row[column] === null ? null : text(row, column);
}
function time(row: SessionRow, column: keyof SessionRow): number {
  const value = row[column];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CorruptRowError(column, `is ${typeof value}, expected a finite number`);
  }
  return value;
}
function parseData(row: SessionRow): SessionData {
  const json = text(row, 'data');
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
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
  const persistent = row.persistent;
  if (persistent !== 0 && persistent !== 1) throw new CorruptRowError('persistent', 'is not 0 or 1');
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
    persistent: persistent === 1,
    authenticatedAt: row.authenticated_at === null ? null : time(row, 'authenticated_at'),
    device: { userAgent: optionalText(row, 'user_agent'), ip: optionalText(row, 'ip') },
  };
}
