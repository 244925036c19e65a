/**
 * The audit trail of sessions: what an entry holds, and the optional store capability that
 * keeps entries per session and per user. Exported from `coatcheck/store-kit` (and the entry
 * types from the root, for applications reading `manager.history`).
 *
 * Design notes:
 * - History is append-only. Entries outlive their session (the history of a revoked device
 *   is the point); each carries its own `expiresAt`, set by the manager from its retention,
 *   so a store needs no retention setting: reads skip entries expired at `now`, and
 *   `prune(now)` deletes them together with expired records.
 * - Only the public id of a session is recorded, never its secret or anything derived from it.
 * - Entries are kept for sessions that belong to a user; anonymous sessions have no history
 *   (they are the bulk of sessions, mostly crawlers, and nobody could list them).
 *
 * @module
 */

/**
 * What happened to a session:
 * - `created`: a login on a device without a session (a new session for the user);
 * - `upgraded`: a login turned an anonymous session (or another user's) into the user's;
 * - `step_up`: the user logged in again on a session that was already theirs;
 * - `rotated`: the ticket was regenerated, the data kept;
 * - `refreshed`: a refresh token was rotated (bearer mode);
 * - `refresh_reuse`: a refresh token was presented again, and the session was ended;
 * - `revoked`: the session was ended (`reason` says how: logout, destroy, revoke, ...);
 * - `csrf_refused`: a state-changing request with the session was refused as cross-site;
 * - `address_changed` / `user_agent_changed`: the session was used from another client
 *   address or User-Agent than the one it was last seen with.
 *
 * Rotations (`upgraded`, `step_up`, `rotated`) are recorded under the new id with the old
 * one in `previousId`, so a device's history can be followed across its tickets.
 */
export type HistoryType =
  | 'created'
  | 'upgraded'
  | 'step_up'
  | 'rotated'
  | 'refreshed'
  | 'refresh_reuse'
  | 'revoked'
  | 'csrf_refused'
  | 'address_changed'
  | 'user_agent_changed';

/**
 * Who or what caused an entry: `user` (the session's own request: login, logout, revoking
 * one of their devices), `app` (application code: `manager.revokeSession` without an actor,
 * `session.destroy()`), `system` (coatcheck itself: a reused refresh token, a CSRF refusal,
 * a change of address), `cli` (the `coatcheck` command), or `admin:<id>` (an administrator,
 * as the application names them).
 */
export type HistoryActor = 'user' | 'app' | 'system' | 'cli' | `admin:${string}`;

/** One entry of a session's history. All times are epoch milliseconds. */
export interface HistoryEntry {
  /** When it happened (the manager's clock). */
  readonly at: number;
  readonly type: HistoryType;
  /** Public id of the session (the ticket's id, as in the device list); never its secret. */
  readonly sessionId: string;
  /** For rotations, the id the session had before; otherwise `null`. */
  readonly previousId: string | null;
  /** The user the session belongs to. */
  readonly userId: string;
  /** Who or what caused it; see {@link HistoryActor}. Stores keep any string of up to 200 characters. */
  readonly actor: string;
  /** More detail: the end reason of `revoked` (`logout`, `revoke-all`, ...), the previous value of a change. */
  readonly reason: string | null;
  /** Client address of the request that caused it, when there was one. */
  readonly ip: string | null;
  /** User-Agent of that request (truncated like the device list's). */
  readonly userAgent: string | null;
  /** When the entry leaves the history: `at` plus the manager's retention. */
  readonly expiresAt: number;
}

/** Whose history to read: one session's, or every session's of one user. */
export type HistoryQuery = { readonly sessionId: string; readonly userId?: never } | { readonly userId: string; readonly sessionId?: never };

/** Options of {@link HistoryStore.readHistory}. */
export interface HistoryReadOptions {
  /** At most this many entries (a positive integer). */
  readonly limit: number;
  /** Only entries with `at` before this time (for paging back). */
  readonly before?: number;
  /** The manager's clock: entries expired at `now` are never returned. */
  readonly now: number;
}

/** How many entries a store keeps at most, per session and per user (the newest ones). */
export interface HistoryLimits {
  readonly perSession: number;
  readonly perUser: number;
}

/**
 * The history capability of a store: optional on `SessionStore`, but a store implements
 * both methods or neither. Methods reject with `SessionStoreError` when the backend fails.
 */
export interface HistoryStore {
  /**
   * Appends entries (in the order given) to their sessions' and users' histories, then keeps
   * at most `limits.perSession` entries per session and `limits.perUser` per user, dropping
   * the oldest. A store may drop an entry beyond either bound from both views.
   */
  appendHistory(entries: readonly HistoryEntry[], limits: HistoryLimits): Promise<void>;
  /**
   * The entries of a session or of a user, live at `options.now` (`expiresAt > now`),
   * newest first (by `at`; entries with the same `at` newest-appended first).
   */
  readHistory(query: HistoryQuery, options: HistoryReadOptions): Promise<HistoryEntry[]>;
}
