/**
 * Checking a record read back from storage before it can become a session. Part of
 * `coatcheck/store-kit`.
 *
 * Whatever a store holds may have been written by hand, by another program, by an older
 * version, or truncated; such a value must never reach the manager as a session. A store
 * maps its own format (a row, an array, a hash) to an {@link UncheckedRecord} without
 * judging it, undoing only what its format changes (JSON text, 0/1 flags, bigint strings),
 * and {@link checkRecord} applies the one rule every store shares. A bad field throws
 * `CorruptRecordError` naming the place, never the contents: the store deletes the record
 * and reports it through its `onCorrupt`.
 *
 * @module
 */
import { CorruptRecordError } from '../errors.js';
import type { SessionData, SessionRecord } from '../store/types.js';

/** A record as read from storage, before any check: every field is what is hoped for. */
export interface UncheckedRecord {
  readonly id: unknown;
  readonly secretHash: unknown;
  readonly userId: unknown;
  readonly data: unknown;
  readonly version: unknown;
  readonly createdAt: unknown;
  readonly lastSeenAt: unknown;
  readonly expiresAt: unknown;
  readonly absoluteExpiresAt: unknown;
  readonly persistent: unknown;
  readonly authenticatedAt: unknown;
  readonly userAgent: unknown;
  readonly ip: unknown;
}

/** A field of {@link UncheckedRecord}. */
export type RecordField = keyof UncheckedRecord;

/**
 * Names a field in the store's own terms for error messages: `column user_agent`,
 * `element 10 (userAgent)`. The default is `field userAgent`.
 */
export type DescribeField = (field: RecordField) => string;

const byName: DescribeField = (field) => `field ${field}`;

/** What a value is, for messages: never the value itself. */
function kindOf(value: unknown): string {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'binary';
  return typeof value;
}

// The rule, one predicate per kind of field, shared by the fast check and the walk that names
// the bad field.
const isText = (value: unknown): value is string => typeof value === 'string';
const isOptionalText = (value: unknown): value is string | null => value === null || typeof value === 'string';
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);
const isVersion = (value: unknown): value is number => isTime(value) && value >= 1;
const isData = (value: unknown): value is SessionData => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Rebuilds a {@link SessionRecord} from what a store read, or throws `CorruptRecordError`.
 *
 * The rule: `id` and `secretHash` are strings; `userId`, `userAgent` and `ip` strings or
 * `null`; `data` a JSON object (not an array, not `null`); `version` a positive safe
 * integer; the times integer milliseconds within 2^53 (`authenticatedAt` may be `null`);
 * `persistent` a boolean.
 *
 * @example
 * ```ts
 * import { checkRecord, decodeFlag, parseDataJson } from 'coatcheck/store-kit'
 * const column = (field: string) => `column ${field}`
 * const record = checkRecord({ ...row, data: parseDataJson(row.data, 'column data'), persistent: decodeFlag(row.persistent) }, column)
 * ```
 */
export function checkRecord(raw: UncheckedRecord, describe: DescribeField = byName): SessionRecord {
  // Every session read takes this path, so it reads each field once, straight, and builds
  // only the record; the walk below runs only to name what is wrong.
  const { id, secretHash, userId, data, version, createdAt, lastSeenAt, expiresAt, absoluteExpiresAt, persistent, authenticatedAt, userAgent, ip } = raw;
  if (
    isText(id) &&
    isText(secretHash) &&
    isOptionalText(userId) &&
    isData(data) &&
    isVersion(version) &&
    isTime(createdAt) &&
    isTime(lastSeenAt) &&
    isTime(expiresAt) &&
    isTime(absoluteExpiresAt) &&
    typeof persistent === 'boolean' &&
    (authenticatedAt === null || isTime(authenticatedAt)) &&
    isOptionalText(userAgent) &&
    isOptionalText(ip)
  ) {
    return {
      id,
      secretHash,
      userId,
      data,
      version,
      createdAt,
      lastSeenAt,
      expiresAt,
      absoluteExpiresAt,
      persistent,
      authenticatedAt,
      device: { userAgent, ip },
    };
  }
  return explainRecord(raw, describe);
}

/** The same rule field by field, throwing `CorruptRecordError` at the first bad one. */
function explainRecord(raw: UncheckedRecord, describe: DescribeField): SessionRecord {
  const fail = (field: RecordField, problem: string): never => {
    throw new CorruptRecordError(describe(field), problem);
  };
  const text = (field: RecordField): string => {
    const value = raw[field];
    return isText(value) ? value : fail(field, `is ${kindOf(value)}, expected text`);
  };
  const optionalText = (field: RecordField): string | null => (raw[field] === null ? null : text(field));
  const time = (field: RecordField): number => {
    const value = raw[field];
    return isTime(value)
      ? value
      : fail(field, `is ${typeof value === 'number' ? 'a number out of range' : kindOf(value)}, expected integer milliseconds within 2^53`);
  };
  const { version, persistent, data } = raw;
  if (!isVersion(version)) fail('version', 'is not a positive integer');
  if (typeof persistent !== 'boolean') fail('persistent', `is ${kindOf(persistent)}, expected a boolean`);
  if (!isData(data)) fail('data', `is ${kindOf(data)}, expected a JSON object`);
  return {
    id: text('id'),
    secretHash: text('secretHash'),
    userId: optionalText('userId'),
    data: data as SessionData,
    version: version as number,
    createdAt: time('createdAt'),
    lastSeenAt: time('lastSeenAt'),
    expiresAt: time('expiresAt'),
    absoluteExpiresAt: time('absoluteExpiresAt'),
    persistent: persistent as boolean,
    authenticatedAt: raw.authenticatedAt === null ? null : time('authenticatedAt'),
    device: { userAgent: optionalText('userAgent'), ip: optionalText('ip') },
  };
}

/**
 * Parses session data stored as JSON text. Throws `CorruptRecordError` for a value that is
 * not text or not JSON; {@link checkRecord} then checks that it is an object. `parse` is for
 * formats that escape what their column cannot hold (Postgres `jsonb` and NUL).
 */
export function parseDataJson(value: unknown, where: string, parse: (text: string) => unknown = JSON.parse): unknown {
  if (typeof value !== 'string') throw new CorruptRecordError(where, `is ${kindOf(value)}, expected JSON text`);
  try {
    return parse(value);
  } catch {
    throw new CorruptRecordError(where, 'is not valid JSON');
  }
}

/**
 * Reads a 0/1 flag (SQLite has no boolean, a compact array stores one digit) as a boolean;
 * anything else is returned as it is, for {@link checkRecord} to refuse.
 */
export function decodeFlag(value: unknown): unknown {
  return value === 1 ? true : value === 0 ? false : value;
}
