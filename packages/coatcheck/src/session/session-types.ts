/**
 * The public shape of a session handle.
 *
 * @module
 */
import type { DeviceSession } from '../manager/devices.js';
import type { AuthFactor } from '../store/types.js';
import type { FreshOptions, StepUpOptions } from './step-up.js';

/**
 * How the request's ticket turned out:
 * - `none`: no session cookie;
 * - `valid`: a live session was loaded;
 * - `invalid`: malformed, forged, or signed with an unknown key (never reached the store);
 * - `expired`: well-signed, but the session is gone (expired, logged out, revoked);
 * - `ambiguous`: the cookie name appeared more than once, so none of them is trusted.
 */
export type LoadStatus = 'none' | 'valid' | 'invalid' | 'expired' | 'ambiguous';

/** Options of {@link Session.login}. */
export interface LoginOptions<D extends object> {
  /** Persistent ("remember me") cookie with the remember-me lifetimes. @default false */
  remember?: boolean;
  /**
   * Combines the anonymous session's data (e.g. a cart) with data the user already has.
   * Receives the data as it is in the store right now, with this request's changes applied.
   * @default keeps the anonymous data as it is
   */
  merge?: (anonymous: Partial<D>, context: { readonly userId: string }) => Partial<D> | Promise<Partial<D>>;
  /**
   * How the user proved who they are, recorded in {@link Session.amr} for `requireFresh`:
   * an RFC 8176 name (`pwd`, `otp`, `hwk`, `swk`, `face`, `fpt`, `sms`, `mfa`...) or the
   * application's own (1 to 32 letters, digits, `_ . : -`). Pass it for anything but a password.
   * @default 'pwd'
   */
  method?: string;
}

/** Keys of `D` that are strings. */
type DataKey<D> = Extract<keyof D, string>;

/**
 * A session as seen by one request. Created by the manager's `load()`; adapters expose it as
 * `request.session`.
 */
export interface Session<D extends object = SessionDataMap> {
  /** Public id (opaque device handle), or `null` before the session is first written. */
  readonly id: string | null;
  /** The authenticated user, or `null`. */
  readonly userId: string | null;
  /** What the presented ticket turned out to be. */
  readonly status: LoadStatus;
  /** `true` until the session exists in the store. */
  readonly isNew: boolean;
  readonly isAuthenticated: boolean;
  /** Remember-me session with a persistent cookie. */
  readonly persistent: boolean;
  readonly createdAt: number | null;
  readonly expiresAt: number | null;
  /** When the user last proved who they are (login or step-up). */
  readonly authenticatedAt: number | null;
  /**
   * The methods the user proved on this session, each with its latest time, oldest first
   * (`[{ method: 'pwd', at }, { method: 'otp', at }]`). Empty when anonymous, and for sessions
   * written before coatcheck recorded them.
   */
  readonly amr: readonly AuthFactor[];
  /**
   * The data, with this request's changes applied. Read-only: change it with the methods.
   * Records served from process memory (memory store, local cache) are frozen, so an
   * in-place change throws a TypeError there.
   */
  readonly data: Readonly<Partial<D>>;

  /** Reads one key. */
  get<K extends DataKey<D>>(key: K): D[K] | undefined;
  /** Sets one key (the value is copied; it must be JSON-serializable). */
  set<K extends DataKey<D>>(key: K, value: D[K]): void;
  /** Removes one key. */
  delete<K extends DataKey<D>>(key: K): void;
  /**
   * Replaces one key with `fn(current)`. If another request changed the session first, `fn`
   * runs again on the fresh value, so both changes survive. `fn` must be pure.
   * Returning `undefined` removes the key.
   */
  update<K extends DataKey<D>>(key: K, fn: (current: D[K] | undefined) => D[K] | undefined): void;
  /** Removes every key. */
  clear(): void;

  /**
   * Makes the session `userId`'s: a new ticket is issued, the old one stops working, the data
   * (e.g. an anonymous cart) is kept or merged, and an `upgraded` event carries both ids.
   *
   * Await it (and `regenerate`, `logout`, `destroy`). A call left running when the response
   * is committed is waited for, so nothing is lost, and logged as `ERR_SESSION_NOT_AWAITED`.
   */
  login(userId: string, options?: LoginOptions<D>): Promise<void>;
  /**
   * Records that the user just proved `method` (the app verified it: a password, a one-time
   * code, a security key), after a `requireFresh` refusal or on its own. Like a login it
   * issues a new ticket, and the history gets a `step_up` entry with the method as `reason`.
   * With `challenge` (from the refusal's `stepUp.challenge`), it must be the session's pending
   * challenge, which it consumes: an unknown, used or expired one, or one that does not accept
   * `method`, rejects with `SessionStepUpChallengeError` and changes nothing.
   */
  stepUp(method: string, options?: StepUpOptions): Promise<void>;
  /**
   * Resolves when the user proved one of `methods` (any, when left out) within `within` ms;
   * otherwise leaves a challenge pending in the session and rejects with
   * `SessionStepUpRequiredError` (403 `ERR_SESSION_STEP_UP_REQUIRED`, with `methods`, `within`
   * and the challenge id in the body). With `sliding`, each fresh check keeps it fresh for
   * `within` more, up to `maxAge` after the factor. See docs/step-up.md.
   */
  requireFresh(options: FreshOptions): Promise<void>;
  /** Issues a new ticket for the same session and data; the old ticket stops working. */
  regenerate(): Promise<void>;
  /** Deletes the session and clears the cookie. */
  logout(): Promise<void>;
  /** Same as `logout`, reported with reason `destroy`. */
  destroy(): Promise<void>;

  /** The user's sessions, with this one flagged `current`. Empty when anonymous. */
  listDevices(): Promise<DeviceSession[]>;
  /** Ends one of the user's sessions. `false` when it is not theirs or does not exist. */
  revokeDevice(id: string): Promise<boolean>;
  /** Ends every other session of the user; returns their ids. */
  revokeOtherDevices(): Promise<string[]>;
  /** Ends every session of the user, this one included. */
  revokeAllDevices(): Promise<string[]>;

  /**
   * The token a form or script sends back (`_csrf` field or `x-csrf-token` header) on unsafe
   * requests that lack `Origin` and `Sec-Fetch-Site`. Derived from the ticket, so it costs no
   * storage and dies with the ticket at login, regenerate and logout; masked afresh on every
   * call, so two renders differ. A session that is not in the store yet is written now (a
   * token needs a session to be bound to), which sends the cookie with this response.
   */
  csrfToken(): Promise<string>;
  /** Whether `token` was issued by {@link Session.csrfToken} for this session's ticket. */
  verifyCsrfToken(token: unknown): boolean;

  /**
   * Writes pending changes and returns the `Set-Cookie` values to send. Adapters call it once,
   * before the response headers go out; afterwards the session is read-only. A lifecycle call
   * still running (a handler forgot `await`) is reported and waited for first; if nothing
   * awaited it and it failed, the commit fails with its error.
   */
  commit(): Promise<string[]>;
}

/**
 * What adapters (and only they) do with a handle: every handle has these members, the
 * app-facing {@link Session} does not show them. Reached through `coatcheck/adapter`
 * (`isPending`, `commitCookies`, `abandonSession`).
 */
export interface SessionCommitControl {
  /**
   * `true` when `commit()` has something to do: changes to write, a touch due, a cookie to
   * send, or a lifecycle call to account for. Adapters skip the commit (and its promise) when
   * it is `false`.
   */
  readonly pending: boolean;
  /**
   * The part of `commit()` that needs no store, for adapters that reach the response headers
   * with no chance to wait (Express when a handler streams or calls `res.end` itself).
   * Returns the `Set-Cookie` values when only the cookie is pending (tickets written by
   * `login`, `regenerate` and `logout` are already durable), leaving a due touch to a later
   * request. Returns `null`, and commits nothing, when data changes are still unwritten or a
   * lifecycle call is still running.
   */
  commitCookies(): string[] | null;
  /**
   * Drops this request's unwritten changes and makes the handle read-only, for an adapter
   * whose response went out before they could be committed. Returns how many were dropped.
   */
  abandon(): number;
}

/**
 * The session data type: the default of `createSessionManager`, `SessionManager`, `Session`,
 * and of what the framework adapters give handlers (`request.session`). Augment it once to
 * type your data everywhere (`withSession`, `loadById`, the adapters):
 *
 * ```ts
 * declare module 'coatcheck' {
 *   interface SessionDataMap { cart: string[] }
 * }
 * ```
 */
export interface SessionDataMap {
  [key: string]: unknown;
}
