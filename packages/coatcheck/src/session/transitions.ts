/**
 * The store side of a session's lifecycle, shared by the handle and the manager: touching
 * (sliding the idle expiry), ending, and moving to a new ticket (login, regenerate) under
 * the session's lock. Every store call goes through the context's gateway.
 *
 * @module
 */
import type { DeviceInfo, SessionData, SessionRecord } from '../store/types.js';
import type { SessionContext } from './context.js';
import { expiryAt } from './lifetime.js';
import { replayOperations, type Operation } from './operations.js';
import type { LoginOptions } from './session-types.js';
import { commitOperations, rotateRecord, type IssuedRecord, type NewRecordInit } from './writes.js';

/**
 * Marks a live record as seen at `now`: its idle expiry moves forward, never past the
 * absolute limit. Returns the record as it now is, or `null` when the session is gone.
 */
export async function touchRecord(ctx: SessionContext, record: SessionRecord, now: number): Promise<SessionRecord | null> {
  const expiresAt = expiryAt(ctx.lifetime, record.persistent, now, record.absoluteExpiresAt);
  if (!(await ctx.gateway.touch(record.id, now, expiresAt, now))) return null;
  // The store never shortens nor moves back: what it holds now is the later of the two.
  return { ...record, lastSeenAt: Math.max(now, record.lastSeenAt), expiresAt: Math.max(expiresAt, record.expiresAt) };
}

/**
 * Saves a loaded session at commit: its operations (version-checked, replayed on conflict)
 * when there are any, otherwise a touch. `device`: the session was seen from another address
 * or User-Agent, and the record takes it (a version-checked write instead of the touch).
 * Returns the record as it now is, or `null` when the session is gone.
 */
export function saveRecord(
  ctx: SessionContext,
  record: SessionRecord,
  ops: readonly Operation[],
  data: SessionData,
  device?: DeviceInfo,
): Promise<SessionRecord | null> {
  return ops.length > 0 || device !== undefined ? commitOperations(ctx, record, ops, data, device) : touchRecord(ctx, record, ctx.now());
}

/**
 * Ends a session from its own request: deleted under its lock, announced, emitted, and
 * recorded (a logout is the user's, a `destroy()` the application's).
 */
export async function endRecord(ctx: SessionContext, record: SessionRecord, reason: 'logout' | 'destroy', device: DeviceInfo): Promise<void> {
  await ctx.gateway.remove(record.id);
  await ctx.announce({ type: 'ended', ids: [record.id], userId: record.userId, reason });
  ctx.events.emit('destroyed', { id: record.id, userId: record.userId, reason });
  await ctx.history.record([{ type: 'revoked', sessionId: record.id, userId: record.userId, actor: reason === 'logout' ? 'user' : 'app', reason, ...device }]);
}

/** A rotation's new record, and how many operations its data already includes. */
export interface Rotation {
  readonly issued: IssuedRecord;
  /** Operations recorded from this index on came after the data was read; they stay pending. */
  readonly taken: number;
}

/**
 * Moves a session to a new ticket. Under the old id's lock, the data is read as it is in
 * the store right now with this request's operations replayed on top (never another
 * session's data: same id but another secret is a different session), then `change` builds
 * the new record from it.
 */
export async function rotateSession(
  ctx: SessionContext,
  current: SessionRecord | null,
  ops: () => readonly Operation[],
  change: (base: SessionData) => Promise<NewRecordInit>,
): Promise<Rotation> {
  const run = async (): Promise<Rotation> => {
    const fresh = current === null ? null : await ctx.gateway.read(current.id, ctx.now());
    const taken = ops().length;
    const base = replayOperations(fresh !== null && current !== null && fresh.secretHash === current.secretHash ? fresh.data : {}, ops());
    return { issued: await rotateRecord(ctx, current?.id ?? null, await change(base)), taken };
  };
  return current === null ? run() : ctx.gateway.withLock(current.id, run);
}

/** The new record of a login: the user, the merged data, a fresh absolute lifetime. */
export function loginChange<D extends object>(ctx: SessionContext, userId: string, options: LoginOptions<D>, device: DeviceInfo) {
  return async (base: SessionData): Promise<NewRecordInit> => ({
    userId,
    data: options.merge ? replayOperations((await options.merge(base as Partial<D>, { userId })) as SessionData, []) : base,
    persistent: options.remember ?? false,
    authenticatedAt: ctx.now(),
    device,
  });
}

/** The new record of a regeneration: everything kept but the ticket (the absolute limit too). */
export function regenerateChange(current: SessionRecord) {
  return async (base: SessionData): Promise<NewRecordInit> => ({
    userId: current.userId,
    data: base,
    persistent: current.persistent,
    authenticatedAt: current.authenticatedAt,
    device: current.device,
    createdAt: current.createdAt,
    absoluteExpiresAt: current.absoluteExpiresAt,
  });
}
