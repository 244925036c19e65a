/**
 * Frozen records: how in-process stores and caches share one record between requests.
 * Internal.
 *
 * A record kept in memory and handed to every request that reads it must not be changeable
 * through the object a request was given, or one request could alter what the next one
 * reads without a commit. Copying on every read costs a parse per request; freezing once,
 * when the record is stored, costs nothing per read. The session handle never writes into a
 * loaded record (it copies the data before its first change), and an application that tries
 * to gets a TypeError instead of a change that is silently never saved.
 *
 * @module
 */
import type { SessionRecord } from './types.js';

/** Freezes `value` and everything reachable from it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * A frozen record with the fields of `record`, its timestamps replaced where given.
 * `data` is used as is (pass a private, frozen copy). One object literal of a fixed shape:
 * a spread of a record plus overrides can leave V8 with a slow dictionary-mode object, and
 * every later read of it pays.
 */
export function freezeRecord(record: SessionRecord, data: SessionRecord['data'], lastSeenAt = record.lastSeenAt, expiresAt = record.expiresAt): SessionRecord {
  return Object.freeze({
    id: record.id,
    secretHash: record.secretHash,
    userId: record.userId,
    data,
    version: record.version,
    createdAt: record.createdAt,
    lastSeenAt,
    expiresAt,
    absoluteExpiresAt: record.absoluteExpiresAt,
    persistent: record.persistent,
    authenticatedAt: record.authenticatedAt,
    device: Object.freeze({ userAgent: record.device.userAgent, ip: record.device.ip }),
  });
}
