/**
 * Builders for valid session records, used by the conformance suite and handy in a store's
 * own tests. Exported from `@coatcheck/conformance`.
 *
 * Every record gets a fresh random id (the same shape as a real ticket id: 18 random bytes,
 * base64url) so tests never collide, even when several of them share one backend. Times are
 * always explicit: the suite drives the store's clock through the `now` arguments.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DeviceInfo, SessionRecord } from 'coatcheck/store-kit';

/** One minute in milliseconds. */
export const MINUTE = 60_000;
/** One hour in milliseconds. */
export const HOUR = 60 * MINUTE;

/** A random id shaped like a ticket id: 18 random bytes, base64url (24 characters). */
export function randomId(): string {
  return randomBytes(18).toString('base64url');
}

/** A random user id, unique per call, so tests sharing one backend never see each other. */
export function randomUserId(): string {
  return `user-${randomBytes(9).toString('base64url')}`;
}

/**
 * The base64url SHA-256 of a random secret, exactly what the manager hands a store. The
 * secret itself is thrown away: a store must never see it.
 */
export function randomSecretHash(): string {
  return createHash('sha256').update(randomBytes(32)).digest('base64url');
}

/** Fields of {@link buildRecord}; everything is optional. */
export interface RecordInit extends Partial<Omit<SessionRecord, 'device'>> {
  /** The clock the record is created at. @default Date.now() */
  readonly now?: number;
  /** Idle lifetime used for `expiresAt` when it is not given. @default 30 minutes */
  readonly idleMs?: number;
  /** Absolute lifetime used for `absoluteExpiresAt` when it is not given. @default 24 hours */
  readonly absoluteMs?: number;
  /** Device fields to override. */
  readonly device?: Partial<DeviceInfo>;
}

/**
 * Builds a valid {@link SessionRecord}: version 1, created and last seen at `now`, expiring
 * after the idle lifetime and never after the absolute one.
 *
 * @example
 * ```ts
 * const record = buildRecord({ userId: 'alice', data: { cart: [1, 2] }, now: 1_700_000_000_000 })
 * await store.create(record)
 * ```
 */
export function buildRecord(init: RecordInit = {}): SessionRecord {
  const { now = Date.now(), idleMs = 30 * MINUTE, absoluteMs = 24 * HOUR, device, ...fields } = init;
  const userId = fields.userId ?? null;
  const absoluteExpiresAt = fields.absoluteExpiresAt ?? now + absoluteMs;
  return {
    id: fields.id ?? randomId(),
    secretHash: fields.secretHash ?? randomSecretHash(),
    userId,
    data: fields.data ?? {},
    version: fields.version ?? 1,
    createdAt: fields.createdAt ?? now,
    lastSeenAt: fields.lastSeenAt ?? now,
    expiresAt: fields.expiresAt ?? Math.min(now + idleMs, absoluteExpiresAt),
    absoluteExpiresAt,
    persistent: fields.persistent ?? false,
    authenticatedAt: fields.authenticatedAt !== undefined ? fields.authenticatedAt : userId === null ? null : now,
    device: {
      userAgent: device?.userAgent !== undefined ? device.userAgent : 'conformance/1.0',
      ip: device?.ip !== undefined ? device.ip : '192.0.2.1',
    },
  };
}

/**
 * The record an `update` would write after `record`: the given changes applied and the
 * version bumped by one, as the contract requires of `next`.
 */
export function nextVersion(record: SessionRecord, changes: Partial<Omit<SessionRecord, 'id' | 'version'>> = {}): SessionRecord {
  return { ...record, ...changes, version: record.version + 1 };
}
