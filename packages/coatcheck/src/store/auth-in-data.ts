/**
 * Where a record's `auth` (factors, pending challenge) is stored: inside `data`, under the
 * reserved key `$coatcheck.auth`. Every store already persists `data` as JSON (a column, an
 * array element, a hash field), so step-up needs no new column and no migration, and a store
 * written for an older version keeps working. The gateway packs before each write and
 * unpacks after each read; nothing above it sees the key in `data`.
 *
 * A stored value that is not a well-formed state is dropped (no factors): the session stays
 * usable and is simply not fresh, which is the safe side for a sensitive action.
 *
 * @module
 */
import { AUTH_DATA_KEY, type AuthFactor, type AuthState, type SessionRecord } from './types.js';
import { deepFreeze } from './frozen-record.js';

/**
 * The record as a store gets it: `auth` moved into `data`. Whatever the application itself
 * wrote under the reserved key is never stored: read back, it would pass for proved factors.
 */
export function packAuth(record: SessionRecord): SessionRecord {
  const { auth, ...rest } = record;
  if (auth !== undefined) return { ...rest, data: { ...record.data, [AUTH_DATA_KEY]: auth } };
  if (!Object.hasOwn(record.data, AUTH_DATA_KEY)) return record;
  const { [AUTH_DATA_KEY]: _forged, ...data } = record.data;
  return { ...record, data };
}

// Unpacked copies of frozen records: the memory store hands out the same frozen record on
// every read until it is written, and unpacking it again each time was the largest cost of
// its read path. Other stores give a fresh object per read, which is never frozen.
const unpacked = new WeakMap<SessionRecord, SessionRecord>();

/** The record as the core uses it: `auth` taken out of `data` (checked), or left absent. */
export function unpackAuth(record: SessionRecord): SessionRecord {
  const stored = record.data[AUTH_DATA_KEY];
  if (stored === undefined) return record;
  const frozen = Object.isFrozen(record);
  const known = frozen ? unpacked.get(record) : undefined;
  if (known !== undefined) return known;
  // A loop, not `{ [key]: _, ...data }`: V8 copies with excluded keys on a slow path.
  const data: Record<string, unknown> = {};
  for (const key in record.data) if (key !== AUTH_DATA_KEY) data[key] = record.data[key];
  const result = withData(record, data, readAuth(stored));
  if (frozen) unpacked.set(record, deepFreeze(result));
  return result;
}

// The record with `data` (and `auth`, when there is one) in place of its own, as one object
// literal of a fixed shape: a spread of the record plus a key it lacks (`{ ...record, auth }`)
// takes a slow path in V8, several µs on every read of a store that hands out fresh objects.
function withData(record: SessionRecord, data: SessionRecord['data'], auth: AuthState | null): SessionRecord {
  const { id, secretHash, userId, version, createdAt, lastSeenAt, expiresAt, absoluteExpiresAt, persistent, authenticatedAt, device } = record;
  return auth === null
    ? { id, secretHash, userId, data, version, createdAt, lastSeenAt, expiresAt, absoluteExpiresAt, persistent, authenticatedAt, device }
    : { id, secretHash, userId, data, version, createdAt, lastSeenAt, expiresAt, absoluteExpiresAt, persistent, authenticatedAt, device, auth };
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 64;

function readFactor(value: unknown): AuthFactor | null {
  if (typeof value !== 'object' || value === null) return null;
  const { method, at } = value as Record<string, unknown>;
  return isText(method) && isTime(at) ? { method, at } : null;
}

function readAuth(value: unknown): AuthState | null {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { amr?: unknown }).amr)) return null;
  const { amr, activeAt, challenge } = value as { amr: unknown[]; activeAt?: unknown; challenge?: unknown };
  const factors = amr.map(readFactor);
  if (factors.some((factor) => factor === null)) return null;
  let auth: AuthState = { amr: factors as AuthFactor[] };
  if (isTime(activeAt)) auth = { ...auth, activeAt };
  if (typeof challenge === 'object' && challenge !== null) {
    const { id, at, methods } = challenge as Record<string, unknown>;
    const listed = methods === null || (Array.isArray(methods) && methods.every(isText));
    if (isText(id) && isTime(at) && listed) auth = { ...auth, challenge: { id, at, methods: methods as string[] | null } };
  }
  return auth;
}
