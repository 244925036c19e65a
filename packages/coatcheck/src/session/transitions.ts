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
import { SessionStepUpChallengeError } from '../errors.js';
import type { LoginOptions } from './session-types.js';
import { addFactor, answersChallenge, type StepUpOptions } from './step-up.js';
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

/**
 * Announces a login or step-up that moved `before` (or no session) to `newId`: on the bus, as
 * an `upgraded` event, and in the history. A login on no session starts one (`created`); on
 * the user's own session it is a `step_up`, its method the reason.
 */
export async function reportLogin(ctx: SessionContext, before: SessionRecord | null, newId: string, userId: string, method: string, device: DeviceInfo) {
  const oldId = before?.id ?? null;
  await ctx.announce({ type: 'upgraded', oldId, newId, userId });
  ctx.events.emit('upgraded', { oldId, newId, userId });
  const type = before === null ? 'created' : before.userId === userId ? 'step_up' : 'upgraded';
  const reason = type === 'step_up' ? method : before?.userId != null ? 'switch' : 'login';
  await ctx.history.record([{ type, sessionId: newId, previousId: oldId, userId, actor: 'user', reason, ...device }]);
}

/** Announces a regeneration of `current` to `newId`: bus, `regenerated` event, history. */
export async function reportRegenerate(ctx: SessionContext, current: SessionRecord, newId: string, device: DeviceInfo) {
  await ctx.announce({ type: 'changed', ids: [current.id] });
  ctx.events.emit('regenerated', { oldId: current.id, newId, userId: current.userId });
  await ctx.history.record([
    { type: 'rotated', sessionId: newId, previousId: current.id, userId: current.userId, actor: 'app', reason: 'regenerate', ...device },
  ]);
}

/** A rotation's new record, and how many operations its data already includes. */
export interface Rotation {
  /** The new record, or `null` when `change` found the session ended (nothing written). */
  readonly issued: IssuedRecord | null;
  /** Operations recorded from this index on came after the data was read; they stay pending. */
  readonly taken: number;
}

/**
 * Moves a session to a new ticket. Under the old id's lock, the data is read as it is in
 * the store right now with this request's operations replayed on top (never another
 * session's data: same id but another secret is a different session), then `change` builds
 * the new record from it and from the stored record (`null` when it is gone), or answers
 * `null` itself: the session ended meanwhile and must not come back under a new ticket.
 */
export async function rotateSession(
  ctx: SessionContext,
  current: SessionRecord | null,
  ops: () => readonly Operation[],
  change: (base: SessionData, stored: SessionRecord | null) => Promise<NewRecordInit | null>,
): Promise<Rotation> {
  const run = async (): Promise<Rotation> => {
    const read = current === null ? null : await ctx.gateway.read(current.id, ctx.now());
    const stored = read !== null && current !== null && read.secretHash === current.secretHash ? read : null;
    const changed = ops();
    const taken = changed.length;
    const base = replayOperations(stored !== null ? stored.data : {}, changed, ctx.data?.checkValue ?? null);
    // The operations changed the data unless `change` says more did (a login's merge).
    const next = await change(base, stored);
    if (next === null) return { issued: null, taken };
    const init = { changed: changed.slice(), ...next };
    return { issued: await rotateRecord(ctx, current?.id ?? null, init), taken };
  };
  return current === null ? run() : ctx.gateway.withLock(current.id, run);
}

/** The new record of a login: the user, the merged data, a fresh absolute lifetime. */
export function loginChange<D extends object>(ctx: SessionContext, userId: string, options: LoginOptions<D>, device: DeviceInfo) {
  return async (base: SessionData, stored: SessionRecord | null): Promise<NewRecordInit> => {
    const now = ctx.now();
    return {
      userId,
      data: options.merge ? replayOperations((await options.merge(base as Partial<D>, { userId })) as SessionData, []) : base,
      // Merged data is the application's own, seen by no check yet: every key is checked.
      ...(options.merge ? { changed: 'all' as const } : {}),
      persistent: options.remember ?? false,
      authenticatedAt: now,
      device,
      capped: true,
      // The user's earlier factors on their own session stay; another user's never carry over.
      auth: addFactor(stored?.userId === userId ? stored.auth : undefined, options.method ?? 'pwd', now),
    };
  };
}

/**
 * The new record of a step-up: everything kept but the ticket, `method` added to the factors.
 * With `challenge`, it must answer the stored record's pending one (read under the lock, so
 * two step-ups with one challenge cannot both pass in this process; the rotation deletes the
 * old record, so a later replay finds nothing pending anywhere).
 */
export function stepUpChange(ctx: SessionContext, current: SessionRecord, method: string, options: StepUpOptions, device: DeviceInfo) {
  return async (base: SessionData, stored: SessionRecord | null): Promise<NewRecordInit> => {
    const now = ctx.now();
    // Gone, or taken over by another login meanwhile: nothing to step up.
    const ours = stored !== null && stored.userId === current.userId;
    if (!ours || (options.challenge !== undefined && !answersChallenge(stored.auth, options.challenge, method, now))) {
      throw new SessionStepUpChallengeError();
    }
    return { ...regenerateInit(current, base), authenticatedAt: now, device, auth: addFactor(stored.auth, method, now) };
  };
}

/**
 * The new record of a regeneration: everything kept but the ticket (the absolute limit too).
 * `null` for a signed-in session gone from the store since this request read it (revoked,
 * evicted by the session cap, logged out in another tab): a new ticket would bring it back.
 */
export function regenerateChange(current: SessionRecord) {
  return async (base: SessionData, stored: SessionRecord | null): Promise<NewRecordInit | null> => {
    if (stored === null && current.userId !== null) return null;
    const auth = (stored ?? current).auth;
    return auth === undefined ? regenerateInit(current, base) : { ...regenerateInit(current, base), auth };
  };
}

function regenerateInit(current: SessionRecord, base: SessionData): NewRecordInit {
  return {
    userId: current.userId,
    data: base,
    persistent: current.persistent,
    authenticatedAt: current.authenticatedAt,
    device: current.device,
    createdAt: current.createdAt,
    absoluteExpiresAt: current.absoluteExpiresAt,
  };
}
