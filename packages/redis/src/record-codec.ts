/**
 * How a session record is stored in Redis: one string per session, a JSON array. Internal.
 *
 * ```
 * [1, version, lastSeenAt, expiresAt, absoluteExpiresAt, createdAt, authenticatedAt|null,
 *  persistent 0|1, userId|null, secretHash, userAgent|null, ip|null, data]
 * ```
 *
 * Why an array in this order:
 * - The read path is one `GET` and one `JSON.parse`; an array has no repeated field names,
 *   so it is smaller in memory and faster to parse than an object.
 * - The first eight elements are numbers, `null` or 0/1, never commas, so the Lua scripts
 *   find version and times with one anchored pattern, and the userId right after them, and
 *   rebuild the value by splicing strings. They never decode and re-encode the application
 *   data: Lua's cjson would turn `[]` into `{}` and round numbers to 14 digits.
 * - Element 0 is the format version; anything else under the key is treated as corrupt.
 *
 * Decoding is defensive: a value written by hand, by another program or truncated must never
 * reach the manager as a session (SF-23), so every element is checked and a bad one named.
 *
 * @module
 */
import type { SessionData, SessionRecord } from 'coatcheck';

/** Format version, element 0 of every stored value. */
export const FORMAT = 1;

/** Thrown by {@link decodeRecord}; names the problem, never the value. */
export class CorruptValueError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'CorruptValueError';
  }
}

const FIELDS = [
  'format', 'version', 'lastSeenAt', 'expiresAt', 'absoluteExpiresAt', 'createdAt', 'authenticatedAt',
  'persistent', 'userId', 'secretHash', 'userAgent', 'ip', 'data',
] as const;

function finite(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`redisStore: record.${name} must be a finite number`);
  return value;
}

/**
 * Serializes a record. Throws `TypeError` for data JSON cannot represent (BigInt, cycles) or
 * a non-finite time: a caller's bug, not an outage.
 */
export function encodeRecord(record: SessionRecord): string {
  if (!Number.isSafeInteger(record.version) || record.version < 1) {
    throw new TypeError('redisStore: record.version must be a positive integer');
  }
  return JSON.stringify([
    FORMAT,
    record.version,
    finite('lastSeenAt', record.lastSeenAt),
    finite('expiresAt', record.expiresAt),
    finite('absoluteExpiresAt', record.absoluteExpiresAt),
    finite('createdAt', record.createdAt),
    record.authenticatedAt === null ? null : finite('authenticatedAt', record.authenticatedAt),
    record.persistent ? 1 : 0,
    record.userId,
    record.secretHash,
    record.device.userAgent,
    record.device.ip,
    record.data,
  ]);
}

/** The userId as it appears in a stored value; the scripts compare owners by this text. */
export function encodeUserId(userId: string): string {
  return JSON.stringify(userId);
}

function bad(index: number, problem: string): never {
  throw new CorruptValueError(`element ${index} (${FIELDS[index] ?? 'extra'}) ${problem}`);
}
function time(parts: unknown[], index: number): number {
  const value = parts[index];
  if (typeof value !== 'number' || !Number.isFinite(value)) bad(index, 'is not a finite number');
  return value;
}
function optionalText(parts: unknown[], index: number): string | null {
  const value = parts[index];
  if (value !== null && typeof value !== 'string') bad(index, 'is not a string or null');
  return value;
}

/** Rebuilds a record from a stored value; throws {@link CorruptValueError} on anything unexpected. */
export function decodeRecord(id: string, value: string): SessionRecord {
  let parts: unknown;
  try {
    parts = JSON.parse(value);
  } catch {
    throw new CorruptValueError('value is not valid JSON');
  }
  if (!Array.isArray(parts)) throw new CorruptValueError('value is not a JSON array');
  if (parts.length !== FIELDS.length) throw new CorruptValueError(`value has ${parts.length} elements, expected ${FIELDS.length}`);
  if (parts[0] !== FORMAT) bad(0, `is not ${FORMAT}`);
  const version = parts[1];
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) bad(1, 'is not a positive integer');
  if (parts[7] !== 0 && parts[7] !== 1) bad(7, 'is not 0 or 1');
  if (typeof parts[9] !== 'string') bad(9, 'is not a string');
  const data = parts[12];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) bad(12, 'is not a JSON object');
  return {
    id,
    secretHash: parts[9],
    userId: optionalText(parts, 8),
    data: data as SessionData,
    version,
    createdAt: time(parts, 5),
    lastSeenAt: time(parts, 2),
    expiresAt: time(parts, 3),
    absoluteExpiresAt: time(parts, 4),
    persistent: parts[7] === 1,
    authenticatedAt: parts[6] === null ? null : time(parts, 6),
    device: { userAgent: optionalText(parts, 10), ip: optionalText(parts, 11) },
  };
}
