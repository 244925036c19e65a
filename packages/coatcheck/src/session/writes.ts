/**
 * The three ways a session reaches the store: created, changed (version-checked, with
 * replay on conflict), and rotated to a new ticket.
 *
 * @module
 */
import { SessionCollisionError, SessionConflictError, SessionLimitError, SessionRateLimitedError, SessionTooLargeError } from '../errors.js';
import { reportRevoked } from '../manager/device-actions.js';
import { addressKey } from '../rate-limit/address-key.js';
import type { AuthState, CappedCreateResult, DeviceInfo, SessionData, SessionRecord } from '../store/types.js';
import { capProgressOf } from '../store-kit/cap-progress.js';
import { generateTicket, hashSecret } from '../ticket/ticket.js';
import type { SessionContext } from './context.js';
import { absoluteAt, expiryAt } from './lifetime.js';
import { replayOperations, type Operation } from './operations.js';

/** A record together with the raw secret of its ticket (needed to write the cookie). */
export interface IssuedRecord {
  readonly record: SessionRecord;
  readonly secret: string;
}

/** The fields a new record is made from. */
export interface NewRecordInit {
  readonly userId: string | null;
  readonly data: SessionData;
  readonly persistent: boolean;
  readonly authenticatedAt: number | null;
  readonly device: DeviceInfo;
  /** The factors and pending challenge (see `step-up.ts`); none for an anonymous session. */
  readonly auth?: AuthState;
  /** A login: the create counts against `maxSessionsPerUser` (a rotation of the user's own session does not). */
  readonly capped?: boolean;
  /** Keep these when rotating, so rotation never extends the absolute lifetime. */
  readonly createdAt?: number;
  readonly absoluteExpiresAt?: number;
  /**
   * What changed the data, for the `data` option's checks: this request's operations
   * (already checked one by one where the validators answer synchronously), or `'all'` for
   * data no check saw (a login's `merge`). @default none (the data as stored)
   */
  readonly changed?: readonly Operation[] | 'all';
}

const COLLISION_ATTEMPTS = 3;

/** Rejects data over the size cap before anything is written. (BI-17) */
function assertSize(ctx: SessionContext, data: SessionData): void {
  const bytes = Buffer.byteLength(JSON.stringify(data));
  if (bytes > ctx.maxDataBytes) {
    throw new SessionTooLargeError(`session data is ${bytes} bytes; the limit is ${ctx.maxDataBytes} (maxDataBytes).`);
  }
}

/**
 * Writes a record, under the user's session cap when it is a login and there is one: `true`
 * when written, `false` when the id was taken. Sessions evicted to make room are reported as
 * revoked by this request; a refusal throws `SessionLimitError` with nothing written. (LC-21)
 */
async function writeNew(ctx: SessionContext, record: SessionRecord, init: NewRecordInit, replaces: string | null, now: number): Promise<boolean> {
  const limit = ctx.sessionLimit;
  if (limit === null || init.capped !== true || record.userId === null) return ctx.gateway.create(record);
  let result: CappedCreateResult;
  try {
    result = await ctx.gateway.createCapped(record, { ...limit, replaces }, now);
  } catch (error) {
    await finishFailedCap(ctx, record, init, error);
    throw error;
  }
  if (result.outcome === 'full') throw new SessionLimitError(limit.max, result.live);
  if (result.outcome === 'exists') return false;
  const ids = result.evicted.map((session) => session.id);
  await reportRevoked(ctx, ids, record.userId, 'session-limit', 'system', init.device);
  return true;
}

/**
 * A capped create failed after it changed the store (`capProgressOf`): the sessions it evicted
 * are gone, so they are reported like any eviction, and its new record, whose ticket is never
 * sent, is deleted. Best effort during what is likely an outage: a failure here is logged, and
 * the login fails with the store's error either way.
 */
async function finishFailedCap(ctx: SessionContext, record: SessionRecord, init: NewRecordInit, error: unknown): Promise<void> {
  const progress = capProgressOf(error);
  if (progress === undefined) return;
  const ids = progress.evicted.map((session) => session.id);
  // The evictions first: a session still served from another instance's cache matters more
  // than a record nobody holds the ticket of.
  const steps: [string, () => Promise<unknown>][] = [
    [
      'announcing the sessions it evicted failed; other instances may serve them from their caches until they expire',
      () => reportRevoked(ctx, ids, record.userId as string, 'session-limit', 'system', init.device),
    ],
    [
      'deleting its new session failed; its ticket was never sent, and it expires unused',
      () => (progress.created ? ctx.gateway.delete(record.id) : Promise.resolve()),
    ],
  ];
  for (const [what, step] of steps) {
    await step().catch((cleanup: unknown) =>
      ctx.logger.error(`coatcheck: a capped login failed midway, and ${what}`, { sessionId: record.id, userId: record.userId, evicted: ids, error: cleanup }),
    );
  }
}

/**
 * Writes a new record under a fresh ticket. An existing id is never overwritten: on a
 * collision (only possible with a broken random source) a new ticket is drawn. (TG-04)
 * `replaces`: the session a login runs on, which the cap neither counts nor evicts.
 */
async function createRecord(ctx: SessionContext, init: NewRecordInit, replaces: string | null = null): Promise<IssuedRecord> {
  // The `data` option's checks (a refusal writes nothing) and its version stamp.
  const data = ctx.data === null ? init.data : await ctx.data.prepareWrite(init.data, init.changed ?? []);
  assertSize(ctx, data);
  for (let attempt = 0; attempt < COLLISION_ATTEMPTS; attempt++) {
    const now = ctx.now();
    const { id, secret } = generateTicket(ctx.random);
    const absoluteExpiresAt = init.absoluteExpiresAt ?? absoluteAt(ctx.lifetime, init.persistent, now);
    const record: SessionRecord = {
      id,
      secretHash: hashSecret(secret),
      userId: init.userId,
      data,
      version: 1,
      createdAt: init.createdAt ?? now,
      lastSeenAt: now,
      expiresAt: expiryAt(ctx.lifetime, init.persistent, now, absoluteExpiresAt),
      absoluteExpiresAt,
      persistent: init.persistent,
      authenticatedAt: init.authenticatedAt,
      device: init.device,
      ...(init.auth === undefined ? {} : { auth: init.auth }),
    };
    if (await writeNew(ctx, record, init, replaces, now)) {
      ctx.events.emit('created', { id, userId: init.userId });
      return { record, secret };
    }
    ctx.logger.warn('coatcheck: generated session id already exists; drawing a new one', { store: ctx.gateway.store.name });
  }
  throw new SessionCollisionError(`could not draw an unused session id in ${COLLISION_ATTEMPTS} attempts; the random source is broken.`);
}

/**
 * Writes the first record of an anonymous session (its first change, a CSRF token, an
 * anonymous bearer session). With `newSessionLimiter`, its client address must have room
 * first: a refusal writes nothing. Only here: a login or a rotation is never a new visitor,
 * so a cap on them would lock out users, not floods. (AB-02)
 */
export async function createAnonymousRecord(
  ctx: SessionContext,
  data: SessionData,
  device: DeviceInfo,
  changed: readonly Operation[] = [],
): Promise<IssuedRecord> {
  const limiter = ctx.newSessionLimiter;
  if (limiter !== null) {
    // Before the size check and the write: a refused visitor costs one limiter round trip.
    const verdict = await limiter.hit({ address: addressKey(device.ip) });
    if (!verdict.allowed) throw new SessionRateLimitedError(verdict.retryAfterMs);
  }
  return createRecord(ctx, { userId: null, data, persistent: false, authenticatedAt: null, device, changed });
}

/**
 * Commits operations with a version check. On conflict the fresh record is loaded and the
 * operations replayed on it, so concurrent requests both take effect. Returns `null` when the
 * session no longer exists: a commit never creates a record, so a request that loaded the
 * session before logout cannot bring it back. (SF-20, SF-21) `device` replaces the record's
 * device metadata (a session seen from another address, with the history on).
 */
export async function commitOperations(
  ctx: SessionContext,
  loaded: SessionRecord,
  ops: readonly Operation[],
  prepared?: SessionData,
  device?: DeviceInfo,
): Promise<SessionRecord | null> {
  return ctx.gateway.withLock(loaded.id, async () => {
    let current = loaded;
    const check = ctx.data?.checkValue ?? null;
    let data = prepared ?? replayOperations(current.data, ops, check);
    for (let attempt = 0; ; attempt++) {
      if (ctx.data !== null) data = await ctx.data.prepareWrite(data, ops, current.data);
      assertSize(ctx, data);
      const now = ctx.now();
      const next: SessionRecord = {
        ...current,
        data,
        device: device ?? current.device,
        version: current.version + 1,
        // Never back, like a touch: an instance whose clock runs behind must not cut short
        // the expiry another instance extended. (SF-26)
        lastSeenAt: Math.max(now, current.lastSeenAt),
        expiresAt: Math.max(expiryAt(ctx.lifetime, current.persistent, now, current.absoluteExpiresAt), current.expiresAt),
      };
      const result = await ctx.gateway.update(next, current.version, now);
      if (result === 'ok') {
        await ctx.announce({ type: 'changed', ids: [next.id] });
        return next;
      }
      if (result === 'missing') return null;
      if (attempt >= ctx.maxConflictRetries) {
        throw new SessionConflictError(`session changed concurrently ${attempt + 1} times in a row; retry the request.`);
      }
      const fresh = await ctx.gateway.read(loaded.id, ctx.now());
      // Same id but another secret would be a different session; never write into it.
      if (!fresh || fresh.secretHash !== loaded.secretHash) return null;
      current = fresh;
      data = replayOperations(fresh.data, ops, check);
    }
  });
}

/**
 * Moves a session to a new ticket: the new record is written first, then the old one is
 * deleted, so a failure leaves the old ticket as it was (never a half-rotated login), and the
 * new record is deleted again. If the store fails for that too, the new record stays until
 * it idles out: its ticket never left the server, so nobody can use it, and it is logged
 * (by its public id) because it shows in the user's device list meanwhile. (LC-24)
 */
export async function rotateRecord(ctx: SessionContext, oldId: string | null, init: NewRecordInit): Promise<IssuedRecord> {
  const issued = await createRecord(ctx, init, oldId);
  if (oldId !== null) {
    try {
      // Not `remove`: the caller already holds the old id's lock.
      await ctx.gateway.delete(oldId);
    } catch (error) {
      await ctx.gateway.delete(issued.record.id).catch((cleanup: unknown) =>
        ctx.logger.error(
          'coatcheck: a ticket rotation failed after its new session was written, and deleting that session failed too; its ticket was never sent, and it expires unused',
          {
            sessionId: issued.record.id,
            userId: init.userId,
            error: cleanup,
          },
        ),
      );
      throw error;
    }
  }
  return issued;
}
