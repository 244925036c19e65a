/**
 * The per-request session handle. Reads come from the record loaded at the start of the
 * request; writes are recorded as operations and committed once, at the end (or immediately,
 * for lifecycle changes that rotate or end the ticket).
 *
 * This is the one class outside the errors: a handle is built on every request, and a
 * prototype shares its methods and accessors, where an object literal would allocate them all
 * again each time. It is created through `createSession` and typed as the `Session` interface.
 *
 * @module
 */
import { SessionCommittedError } from '../errors.js';
import { serializeClearCookie } from '../cookie/serialize-cookie.js';
import { serializeTicketCookie } from '../cookie/ticket-cookie.js';
import { captureDevice, type DeviceSession } from '../manager/devices.js';
import type { DeviceInfo, SessionData, SessionRecord } from '../store/types.js';
import { createCsrfToken, verifyCsrfToken } from '../csrf/csrf-token.js';
import type { SessionContext, SessionInit } from './context.js';
import { listOwnDevices, revokeOwnDevices, type DeviceApi } from './device-api.js';
import { isTouchDue } from './lifetime.js';
import { applyOperation, replayOperations, type Operation } from './operations.js';
import { createCallTracker, type CallTracker } from './lifecycle-calls.js';
import { createGuardedSelf, guardPrototype, Stamped } from './read-only.js';
import type { LoginOptions, Session } from './session-types.js';
import { detectDeviceChange } from './device-change.js';
import { requireFreshRecord } from './fresh-check.js';
import { assertMethod, factorsOf, type FreshOptions, type StepUpOptions } from './step-up.js';
import { endRecord, loginChange, regenerateChange, reportLogin, reportRegenerate, rotateSession, saveRecord, stepUpChange } from './transitions.js';
import { createAnonymousRecord, type IssuedRecord, type NewRecordInit } from './writes.js';

const NO_COOKIES: string[] = [];
type RecordChange = (base: SessionData, stored: SessionRecord | null) => Promise<NewRecordInit | null>;

class SessionHandle<D extends object> extends Stamped implements Session<D> {
  readonly #ctx: SessionContext;
  readonly #devices: DeviceApi;
  readonly #init: SessionInit;
  #record: SessionRecord | null;
  #secret: string | null;
  #data: SessionData;
  #ops: Operation[] = [];
  #committed = false;
  #touchDue: boolean;
  #resign: boolean;
  // Whether the browser may hold a ticket (one came in, or one was issued): only then is a
  // clearing Set-Cookie worth sending.
  #holdsTicket: boolean;
  // The one pending Set-Cookie value for the session name: never two in a response. (CK-13)
  #cookie: string | null = null;
  // Lifecycle calls of this request, made on the first one. (See lifecycle-calls.ts.)
  #calls: CallTracker | null = null;

  constructor(ctx: SessionContext, devices: DeviceApi, init: SessionInit, self?: object) {
    super(self);
    this.#ctx = ctx;
    this.#devices = devices;
    this.#init = init;
    this.#record = init.record;
    this.#secret = init.secret;
    this.#data = init.record ? init.record.data : {};
    this.#touchDue = init.record !== null && isTouchDue(ctx.lifetime, init.record.lastSeenAt, init.now ?? ctx.now());
    this.#resign = init.resign;
    this.#holdsTicket = init.status !== 'none';
    if (init.clear && init.mode !== null) this.#cookie = serializeClearCookie(init.mode.name, init.mode.attributes);
  }

  get id() {
    return this.#record?.id ?? null;
  }
  get userId() {
    return this.#record?.userId ?? null;
  }
  get status() {
    return this.#init.status;
  }
  get isNew() {
    return this.#record === null;
  }
  get isAuthenticated() {
    return this.#record !== null && this.#record.userId !== null;
  }
  get persistent() {
    return this.#record?.persistent ?? false;
  }
  get createdAt() {
    return this.#record?.createdAt ?? null;
  }
  get expiresAt() {
    return this.#record?.expiresAt ?? null;
  }
  get authenticatedAt() {
    return this.#record?.authenticatedAt ?? null;
  }
  get amr() {
    return factorsOf(this.#record?.auth);
  }
  get data() {
    return this.#data as Readonly<Partial<D>>;
  }
  get pending() {
    return !this.#committed && (this.#ops.length > 0 || this.#touchDue || this.#resign || this.#cookie !== null || this.#calls !== null);
  }

  get<K extends Extract<keyof D, string>>(key: K): D[K] | undefined {
    return this.#data[key] as D[K] | undefined;
  }
  set<K extends Extract<keyof D, string>>(key: K, value: D[K]): void {
    this.#record_({ kind: 'set', key, value });
  }
  delete<K extends Extract<keyof D, string>>(key: K): void {
    this.#record_({ kind: 'delete', key });
  }
  update<K extends Extract<keyof D, string>>(key: K, fn: (current: D[K] | undefined) => D[K] | undefined): void {
    this.#record_({ kind: 'update', key, fn: fn as (current: unknown) => unknown });
  }
  clear(): void {
    this.#record_({ kind: 'clear' });
  }

  login(userId: string, options: LoginOptions<D> = {}): Promise<void> {
    if (typeof userId !== 'string' || userId.length === 0) return Promise.reject(new TypeError('login(userId): userId must be a non-empty string'));
    return this.#track('login', () => this.#login(userId, options.method ?? 'pwd', (device) => loginChange(this.#ctx, userId, options, device)));
  }
  stepUp(method: string, options: StepUpOptions = {}): Promise<void> {
    const current = this.#record;
    if (!current?.userId) return Promise.reject(new TypeError('stepUp(method): the session has no user; log in first'));
    return this.#track('stepUp', () => this.#login(current.userId as string, method, (device) => stepUpChange(this.#ctx, current, method, options, device)));
  }
  requireFresh(options: FreshOptions): Promise<void> {
    return requireFreshRecord(this.#ctx, this.#record, options);
  }
  regenerate(): Promise<void> {
    return this.#track('regenerate', () => this.#regenerate());
  }
  logout(): Promise<void> {
    return this.#track('logout', () => this.#end('logout'));
  }
  destroy(): Promise<void> {
    return this.#track('destroy', () => this.#end('destroy'));
  }

  // A login, or a step-up (`change` builds the new record): both rotate, and are announced as upgrades.
  async #login(userId: string, method: string, change: (device: DeviceInfo) => RecordChange): Promise<void> {
    assertMethod(method);
    const before = this.#record;
    const device = this.#device();
    await this.#rotate(change(device), (id) => reportLogin(this.#ctx, before, id, userId, method, device));
  }
  async #regenerate(): Promise<void> {
    const current = this.#record;
    if (current) await this.#rotate(regenerateChange(current), (id) => reportRegenerate(this.#ctx, current, id, this.#device()));
  }

  listDevices(): Promise<DeviceSession[]> {
    return listOwnDevices(this.#devices, this.#record);
  }
  async revokeDevice(id: string): Promise<boolean> {
    const record = this.#record;
    if (!record?.userId) return false;
    if (id !== record.id) return this.#devices.revoke(record.userId, id, 'user');
    await this.logout();
    return true;
  }
  revokeOtherDevices(): Promise<string[]> {
    return revokeOwnDevices(this.#devices, this.#record, 'others');
  }
  async revokeAllDevices(): Promise<string[]> {
    const owned = this.#record?.userId != null;
    const ids = await revokeOwnDevices(this.#devices, this.#record, 'all');
    if (owned) this.#forget();
    return ids;
  }

  async csrfToken(): Promise<string> {
    if (this.#record === null || this.#secret === null) {
      this.#writable();
      this.#adopt(await createAnonymousRecord(this.#ctx, this.#data, this.#device(), this.#ops));
    }
    const ctx = this.#ctx;
    return createCsrfToken(ctx.csrfRing, ctx.random, (this.#record as SessionRecord).id, this.#secret as string);
  }
  verifyCsrfToken(token: unknown): boolean {
    const record = this.#record;
    return record !== null && this.#secret !== null && verifyCsrfToken(this.#ctx.csrfRing, record.id, this.#secret, token);
  }

  commitCookies(): string[] | null {
    if (this.#committed) return NO_COOKIES;
    if (this.#calls !== null && !this.#calls.check(this.#ctx.logger)) return null;
    if (this.#ops.length > 0) return null;
    this.#committed = true;
    this.#touchDue = false;
    if (this.#resign && this.#record && this.#secret && this.#cookie === null) this.#issueCookie(this.#record, this.#secret);
    return this.#cookie === null ? NO_COOKIES : [this.#cookie];
  }
  abandon(): number {
    const dropped = this.#committed ? 0 : this.#ops.length;
    this.#committed = true;
    this.#ops = [];
    return dropped;
  }

  async commit(): Promise<string[]> {
    if (this.#committed) return NO_COOKIES;
    this.#committed = true;
    // A lifecycle call still running means a handler forgot `await`: finish it first, so the
    // response carries its outcome (the new or cleared cookie), and report it.
    if (this.#calls !== null) await this.#calls.settle(this.#ctx.logger);
    const ctx = this.#ctx;
    const record = this.#record;
    if (record === null) {
      if (this.#ops.length > 0) this.#adopt(await createAnonymousRecord(ctx, this.#data, this.#device(), this.#ops));
    } else if (this.#ops.length > 0 || this.#touchDue) {
      // Only when writing anyway: a change of address or User-Agent goes to the history.
      const moved = ctx.keepsHistory && record.userId !== null ? detectDeviceChange(record, this.#device()) : null;
      const next = await saveRecord(ctx, record, this.#ops, this.#data, moved?.device);
      if (next === null) this.#forget();
      else {
        this.#record = next;
        if (moved !== null) await ctx.history.record(moved.notes);
        if (next.persistent && this.#touchDue && this.#secret) this.#issueCookie(next, this.#secret);
      }
    }
    if (this.#resign && this.#record && this.#secret && this.#cookie === null) this.#issueCookie(this.#record, this.#secret);
    return this.#cookie === null ? NO_COOKIES : [this.#cookie];
  }

  #device(): DeviceInfo {
    return captureDevice(this.#init.userAgent, this.#init.ip);
  }
  #writable(): void {
    if (this.#committed) throw new SessionCommittedError('the session was already committed for this request; change it before the response is sent.');
  }
  #record_(op: Operation): void {
    this.#writable();
    // The loaded record's data is shared with the store's copy; write into our own.
    if (this.#ops.length === 0 && this.#record !== null && this.#data === this.#record.data) this.#data = replayOperations(this.#data, []);
    // Checked by the `data` option's per-key schemas as it is applied: a refused value
    // throws here, at the line that wrote it, and is neither applied nor recorded.
    applyOperation(this.#data, op, this.#ctx.data?.checkValue ?? null);
    this.#ops.push(op);
  }
  #issueCookie(record: SessionRecord, secret: string): void {
    if (this.#init.mode === null) return;
    this.#holdsTicket = true;
    this.#cookie = serializeTicketCookie(this.#ctx.ring, this.#init.mode, record, secret, this.#ctx.now());
  }
  // `keepFrom`: operations from this index on were recorded after the new record's data was
  // read (while an un-awaited call ran); they stay pending on top of it.
  #adopt(issued: IssuedRecord, keepFrom = this.#ops.length): void {
    this.#replace(issued.record, issued.secret, keepFrom);
    this.#issueCookie(issued.record, issued.secret);
  }
  #forget(keepFrom = this.#ops.length): void {
    this.#replace(null, null, keepFrom);
    const mode = this.#init.mode;
    this.#cookie = this.#holdsTicket && mode !== null ? serializeClearCookie(mode.name, mode.attributes) : null;
  }
  #replace(record: SessionRecord | null, secret: string | null, keepFrom: number): void {
    const rest = keepFrom < this.#ops.length ? this.#ops.slice(keepFrom) : [];
    this.#record = record;
    this.#secret = secret;
    this.#data = replayOperations(record?.data ?? {}, rest, this.#ctx.data?.checkValue ?? null);
    this.#ops = rest;
    this.#touchDue = false;
    this.#resign = false;
  }
  async #end(reason: 'logout' | 'destroy'): Promise<void> {
    const current = this.#record;
    const taken = this.#ops.length;
    if (current) await endRecord(this.#ctx, current, reason, this.#device());
    this.#forget(taken);
  }
  // Moves to a new ticket and adopts it (operations recorded after the data was read stay
  // pending on the new record), then reports the new id. A session that ended meanwhile is
  // let go, as a commit lets it go: the visitor is signed out and the cookie cleared.
  async #rotate(change: RecordChange, report: (newId: string) => Promise<void>): Promise<void> {
    const { issued, taken } = await rotateSession(this.#ctx, this.#record, () => this.#ops, change);
    if (issued === null) return this.#forget(taken);
    this.#adopt(issued, taken);
    await report(issued.record.id);
  }
  // The check happens when the call is made: a call queued behind another still runs after
  // the commit began waiting for both.
  #track(method: string, run: () => Promise<void>): Promise<void> {
    try {
      this.#writable();
    } catch (error) {
      return Promise.reject(error);
    }
    this.#calls ??= createCallTracker();
    return this.#calls.track(method, run);
  }
}

guardPrototype(SessionHandle.prototype);

/**
 * Builds the handle for one request. In development the handle is a Proxy that refuses
 * every write to it; in production a plain object refusing assignments. (See read-only.ts.)
 */
export function createSession<D extends object>(ctx: SessionContext, devices: DeviceApi, init: SessionInit): Session<D> {
  return new SessionHandle<D>(ctx, devices, init, ctx.production ? undefined : createGuardedSelf(SessionHandle.prototype));
}
