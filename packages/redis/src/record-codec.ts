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
import { checkRecord, decodeFlag, type SessionRecord, type RecordField } from 'coatcheck/store-kit';
import { CorruptRecordError } from 'coatcheck/errors';

/** Format version, element 0 of every stored value. */
const FORMAT = 1;

const FIELDS = [
  'format',
  'version',
  'lastSeenAt',
  'expiresAt',
  'absoluteExpiresAt',
  'createdAt',
  'authenticatedAt',
  'persistent',
  'userId',
  'secretHash',
  'userAgent',
  'ip',
  'data',
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

// Where a field sits in the array, for messages: `element 12 (data)`, never the value.
const describe = (field: RecordField): string => {
  const index = (FIELDS as readonly string[]).indexOf(field);
  return index < 0 ? field : `element ${index} (${field})`;
};

/**
 * Rebuilds a record from a stored value; throws `CorruptRecordError` on anything unexpected.
 * The array's own shape (JSON, length, format) is checked here, every field by the kit's one
 * rule (`checkRecord` of `coatcheck/store-kit`).
 */
export function decodeRecord(id: string, value: string): SessionRecord {
  let parts: unknown;
  try {
    parts = JSON.parse(value);
  } catch {
    throw new CorruptRecordError('value', 'is not valid JSON');
  }
  if (!Array.isArray(parts)) throw new CorruptRecordError('value', 'is not a JSON array');
  if (parts.length !== FIELDS.length) throw new CorruptRecordError('value', `has ${parts.length} elements, expected ${FIELDS.length}`);
  if (parts[0] !== FORMAT) throw new CorruptRecordError('element 0 (format)', `is not ${FORMAT}`);
  return checkRecord(
    {
      id,
      version: parts[1],
      lastSeenAt: parts[2],
      expiresAt: parts[3],
      absoluteExpiresAt: parts[4],
      createdAt: parts[5],
      authenticatedAt: parts[6],
      persistent: decodeFlag(parts[7]),
      userId: parts[8],
      secretHash: parts[9],
      userAgent: parts[10],
      ip: parts[11],
      data: parts[12],
    },
    describe,
  );
}
