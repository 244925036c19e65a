/**
 * The per-request session handle. Reads come from the record loaded at the start of the
 * request; writes are recorded as operations and committed once, at the end (or immediately,
 * for lifecycle changes that rotate or end the ticket).
 *
 * @module
 */
import { SessionCommittedError } from '../errors.js';
import type { CookieMode } from '../cookie/cookie-options.js';
import { serializeClearCookie, serializeCookie } from '../cookie/serialize-cookie.js';
import type { DeviceSession } from '../manager/devices.js';
import type { DeviceInfo, SessionData, SessionRecord } from '../store/types.js';
import { formatTicket } from '../ticket/ticket.js';
import type { SessionContext } from './context.js';
import { cookieMaxAge, expiryAt } from './lifetime.js';
import { applyOperation, replayOperations, type Operation } from './operations.js';
import { commitOperations, createRecord, rotateRecord, type IssuedRecord } from './writes.js';
import type { Session, LoadStatus, LoginOptions } from './session-types.js';
import type { DeviceApi } from './device-api.js';

/** Everything `createSession` starts from. */
export interface SessionInit {
  readonly mode: CookieMode;
  readonly status: LoadStatus;
  readonly record: SessionRecord | null;
  /** Raw secret of the presented ticket, when valid. */
  readonly secret: string | null;
  /** The ticket was signed by an older key and should be re-signed. */
  readonly resign: boolean;
  /** An unusable cookie was presented and should be cleared. */
  readonly clear: boolean;
  readonly device: DeviceInfo;
}

/** Builds the handle for one request. */
export function createSession<D extends object>(ctx: SessionContext, devices: DeviceApi, init: SessionInit): Session<D> {
  let record = init.record;
  let secret = init.secret;
  let data: SessionData = record ? record.data : {};
  let ops: Operation[] = [];
  let committed = false;
  let touchDue = record !== null && ctx.now() - record.lastSeenAt >= ctx.lifetime.touchAfterMs;
  let resign = init.resign;
  // Pending Set-Cookie values by cookie name: never two headers for one name. (CK-13)
  const cookies = new Map<string, string>();
  const { mode } = init;
  if (init.clear) cookies.set(mode.name, serializeClearCookie(mode.name, mode.attributes));

  const writable = () => {
    if (committed) throw new SessionCommittedError('the session was already committed for this request; change it before the response is sent.');
  };
  const record_ = (op: Operation) => {
    writable();
    applyOperation(data, op);
    ops.push(op);
  };
  const issueCookie = (issued: IssuedRecord) => {
    const now = ctx.now();
    const value = formatTicket(ctx.ring, issued.record.id, issued.secret);
    holdsTicket = true;
    cookies.set(mode.name, serializeCookie(mode.name, value, mode.attributes, cookieMaxAge(issued.record.persistent, issued.record.expiresAt, now), now));
  };
  const adopt = (issued: IssuedRecord) => {
    record = issued.record;
    secret = issued.secret;
    data = replayOperations(issued.record.data, []);
    ops = [];
    touchDue = false;
    resign = false;
    issueCookie(issued);
  };
  // Clear the cookie only if the browser may hold one: a ticket came in or was issued.
  let holdsTicket = init.status !== 'none';
  const end = () => {
    record = null;
    secret = null;
    data = {};
    ops = [];
    touchDue = false;
    resign = false;
    if (holdsTicket) cookies.set(mode.name, serializeClearCookie(mode.name, mode.attributes));
    else cookies.delete(mode.name);
  };
  // Data as it is in the store right now, with this request's changes replayed on top.
  const freshData = async (): Promise<SessionData> => {
    if (!record) return replayOperations({}, ops);
    const current = record;
    const fresh = await ctx.call('get', () => ctx.store.get(current.id, ctx.now()));
    return replayOperations(fresh && fresh.secretHash === current.secretHash ? fresh.data : {}, ops);
  };
  const rotate = async (change: (base: SessionData) => Promise<Parameters<typeof rotateRecord>[2]>) => {
    writable();
    const oldId = record?.id ?? null;
    const run = async () => rotateRecord(ctx, oldId, await change(await freshData()));
    return oldId === null ? run() : ctx.withLock(oldId, run);
  };

  const session: Session<D> = {
    get id() { return record?.id ?? null; },
    get userId() { return record?.userId ?? null; },
    get status() { return init.status; },
    get isNew() { return record === null; },
    get isAuthenticated() { return record?.userId != null; },
    get persistent() { return record?.persistent ?? false; },
    get createdAt() { return record?.createdAt ?? null; },
    get expiresAt() { return record?.expiresAt ?? null; },
    get authenticatedAt() { return record?.authenticatedAt ?? null; },
    get data() { return data as Readonly<Partial<D>>; },
    get: (key) => data[key as string] as never,
    set: (key, value) => record_({ kind: 'set', key: key as string, value }),
    delete: (key) => record_({ kind: 'delete', key: key as string }),
    update: (key, fn) => record_({ kind: 'update', key: key as string, fn: fn as (current: unknown) => unknown }),
    clear: () => record_({ kind: 'clear' }),

    async login(userId: string, options: LoginOptions<D> = {}) {
      if (typeof userId !== 'string' || userId.length === 0) throw new TypeError('login(userId): userId must be a non-empty string');
      const oldId = record?.id ?? null;
      const persistent = options.remember ?? false;
      const issued = await rotate(async (base) => ({
        userId,
        data: options.merge ? replayOperations((await options.merge(base as Partial<D>, { userId })) as SessionData, []) : base,
        persistent,
        authenticatedAt: ctx.now(),
        device: init.device,
      }));
      adopt(issued);
      ctx.events.emit('upgraded', { oldId, newId: issued.record.id, userId });
    },
    async regenerate() {
      const current = record;
      if (!current) return;
      const issued = await rotate(async (base) => ({
        userId: current.userId,
        data: base,
        persistent: current.persistent,
        authenticatedAt: current.authenticatedAt,
        device: current.device,
        createdAt: current.createdAt,
        absoluteExpiresAt: current.absoluteExpiresAt,
      }));
      adopt(issued);
      ctx.events.emit('regenerated', { oldId: current.id, newId: issued.record.id, userId: current.userId });
    },
    async destroy() {
      writable();
      const current = record;
      if (current) {
        await ctx.withLock(current.id, () => ctx.call('delete', () => ctx.store.delete(current.id)));
        ctx.events.emit('destroyed', { id: current.id, userId: current.userId, reason: 'destroy' });
      }
      end();
    },
    async logout() {
      writable();
      const current = record;
      if (current) {
        await ctx.withLock(current.id, () => ctx.call('delete', () => ctx.store.delete(current.id)));
        ctx.events.emit('destroyed', { id: current.id, userId: current.userId, reason: 'logout' });
      }
      end();
    },
    async listDevices(): Promise<DeviceSession[]> {
      return record?.userId ? devices.list(record.userId, record.id) : [];
    },
    async revokeDevice(id: string) {
      if (!record?.userId) return false;
      if (id === record.id) {
        await session.logout();
        return true;
      }
      return devices.revoke(record.userId, id);
    },
    async revokeOtherDevices() {
      return record?.userId ? devices.revokeOthers(record.userId, record.id) : [];
    },
    async revokeAllDevices() {
      if (!record?.userId) return [];
      const ids = await devices.revokeAll(record.userId);
      end();
      return ids;
    },

    async commit() {
      if (committed) return [];
      committed = true;
      if (record === null) {
        if (ops.length > 0) {
          const issued = await createRecord(ctx, { userId: null, data, persistent: false, authenticatedAt: null, device: init.device });
          adopt(issued);
        }
      } else if (ops.length > 0) {
        const wasDue = touchDue;
        const next = await commitOperations(ctx, record, ops, data);
        if (next === null) end();
        else {
          record = next;
          if (next.persistent && wasDue && secret) issueCookie({ record: next, secret });
        }
      } else if (touchDue) {
        const current = record;
        const now = ctx.now();
        const expiresAt = expiryAt(ctx.lifetime, current.persistent, now, current.absoluteExpiresAt);
        const alive = await ctx.call('touch', () => ctx.store.touch(current.id, now, expiresAt, now));
        if (!alive) end();
        else if (current.persistent && secret) issueCookie({ record: { ...current, lastSeenAt: now, expiresAt }, secret });
      }
      if (resign && record && secret && !cookies.has(mode.name)) issueCookie({ record, secret });
      return [...cookies.values()];
    },
  };
  return session;
}
