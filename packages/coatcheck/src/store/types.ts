/**
 * The store contract: what every session store (memory, SQLite, Redis, Postgres, or your own)
 * implements. The `@coatcheck/conformance` package tests a store against this contract.
 *
 * Exported from `coatcheck/store-kit`.
 *
 * Design notes:
 * - Records are keyed by the ticket's public id. The ticket's secret never reaches the store;
 *   only its SHA-256 hash does (`secretHash`), so a dump of the store cannot be replayed.
 * - Every call that depends on time takes `now` explicitly. The manager owns the clock, so
 *   expiry is decided by one clock for every store, and tests inject it.
 * - `update` is a compare-and-set on `version` and never creates a record: a request that
 *   loaded a session before it was destroyed cannot bring it back.
 * - Records handed out are copies: mutating one never changes what is stored.
 * - The session history (`appendHistory`, `readHistory`) is an optional capability, described
 *   in `history-types.ts`; `prune` deletes expired history entries with expired records.
 *
 * @module
 */

import type { SessionBus } from '../bus/types.js';
import type { HistoryStore } from './history-types.js';

/** JSON-compatible session payload. */
export type SessionData = Record<string, unknown>;

/** What a store persists for one session. All times are integer epoch milliseconds. */
export interface SessionRecord<D extends SessionData = SessionData> {
  /** Public id of the ticket (base64url). Safe to show as an opaque device handle. */
  readonly id: string;
  /** base64url SHA-256 of the ticket secret. */
  readonly secretHash: string;
  /** The authenticated user, or `null` for an anonymous session. */
  readonly userId: string | null;
  /** Application data. */
  readonly data: D;
  /** Incremented by every successful `update`; starts at 1. */
  readonly version: number;
  /** When the session was created (login rotation keeps the original value). */
  readonly createdAt: number;
  /** Last time the session was seen (throttled). */
  readonly lastSeenAt: number;
  /** When the session dies: `min(lastSeenAt + idle timeout, absoluteExpiresAt)`. */
  readonly expiresAt: number;
  /** Hard limit that activity never extends. */
  readonly absoluteExpiresAt: number;
  /** `true` when the ticket is a persistent ("remember me") cookie. */
  readonly persistent: boolean;
  /** When the user last proved who they are (login, step-up); `null` when anonymous. */
  readonly authenticatedAt: number | null;
  /** Device metadata captured at creation: User-Agent (truncated) and client IP. */
  readonly device: DeviceInfo;
  /**
   * The factors the user proved and a pending step-up challenge; absent when none was
   * recorded (anonymous, or written by a version before step-up). A store never sees it as
   * a field: the gateway keeps it in `data` under {@link AUTH_DATA_KEY} (`auth-in-data.ts`),
   * so it travels in the JSON every store already persists, with no migration.
   */
  readonly auth?: AuthState;
}

/** The key of `data`, as stored, that holds {@link SessionRecord.auth}: reserved. */
export const AUTH_DATA_KEY = '$coatcheck.auth';

/** One proved authentication method and when (RFC 8176 names where one fits: `pwd`, `otp`, `hwk`...). */
export interface AuthFactor {
  readonly method: string;
  readonly at: number;
}

/** What a session knows of how its user authenticated (see `session/step-up.ts`). */
export interface AuthState {
  /** Each method with its latest time, oldest first. */
  readonly amr: readonly AuthFactor[];
  /** Last fresh check of a sliding `requireFresh`. */
  readonly activeAt?: number;
  /** The pending step-up challenge: answered once, within 5 minutes. */
  readonly challenge?: { readonly id: string; readonly at: number; readonly methods: readonly string[] | null };
}

/** Device metadata stored with a session. */
export interface DeviceInfo {
  readonly userAgent: string | null;
  readonly ip: string | null;
}

/**
 * What {@link SessionStore.createCapped} enforces: at most `max` live sessions of the new
 * record's user, the new one included.
 */
export interface SessionCap {
  /** The most live sessions the user may have, the new one included (at least 1). */
  readonly max: number;
  /**
   * Which of the user's other live sessions end to make room: those created first
   * (`'oldest'`, by `createdAt`), those seen last longest ago (`'idlest'`, by `lastSeenAt`),
   * or none, in which case a full user's create is refused (`'none'`). Ties go by id.
   */
  readonly evict: 'oldest' | 'idlest' | 'none';
  /**
   * The user's session the new record replaces (a login or re-login on it): neither counted
   * nor evicted, since the caller deletes it right after. `null` for none.
   */
  readonly replaces: string | null;
}

/** A session that {@link SessionStore.createCapped} ended to make room. */
export interface EvictedSession {
  /** The session's id (the public id, never its secret). */
  readonly id: string;
  /** When it was created, epoch ms. */
  readonly createdAt: number;
  /** When it was last used, epoch ms (what `evictIdlest` ranks by). */
  readonly lastSeenAt: number;
  /** The device it was on, for the device list and the history. */
  readonly device: DeviceInfo;
}

/**
 * Result of {@link SessionStore.createCapped}: `created` with the sessions it deleted to make
 * room (oldest or idlest first), `exists` when the id is taken (nothing changed), `full` when
 * the cap refuses the create (`evict: 'none'`; nothing changed) with the number of live
 * sessions the user has.
 */
export type CappedCreateResult =
  | { readonly outcome: 'created'; readonly evicted: readonly EvictedSession[] }
  | { readonly outcome: 'exists' }
  | { readonly outcome: 'full'; readonly live: number };

/** Result of {@link SessionStore.update}. */
export type UpdateResult = 'ok' | 'conflict' | 'missing';

/**
 * A session store. Methods reject with `SessionStoreError` (code
 * `ERR_SESSION_STORE_UNAVAILABLE`) when the backing service fails; every expected outcome
 * (absent, expired, conflicting) is a return value.
 */
export interface SessionStore {
  /** Short name for logs and health output, e.g. `"sqlite"`. */
  readonly name: string;
  /**
   * Returns the record, or `null` when it is absent, expired at `now`, or unreadable
   * (a corrupt value is deleted and reported through `onCorrupt` if the store has one).
   */
  get(id: string, now: number): Promise<SessionRecord | null>;
  /** Inserts a new record. Returns `false`, and changes nothing, if the id already exists. */
  create(record: SessionRecord): Promise<boolean>;
  /**
   * Replaces the record if its stored version equals `expectedVersion` and it has not expired
   * at `now`. `next.version` must be `expectedVersion + 1`. Never creates a record.
   */
  update(next: SessionRecord, expectedVersion: number, now: number): Promise<UpdateResult>;
  /**
   * Extends a live record: sets `lastSeenAt` and `expiresAt` without changing the version.
   * Never creates, never shortens, never moves `lastSeenAt` back, never passes
   * `absoluteExpiresAt`. Returns `false` when the record is absent or expired at `now`.
   */
  touch(id: string, lastSeenAt: number, expiresAt: number, now: number): Promise<boolean>;
  /** Deletes a record. Idempotent: returns whether something was deleted. */
  delete(id: string): Promise<boolean>;
  /** The user's live sessions at `now`, oldest first. */
  listByUser(userId: string, now: number): Promise<SessionRecord[]>;
  /**
   * Deletes the user's sessions except `exceptId`; returns the deleted ids (in any order).
   * Expired records not yet pruned may or may not be included.
   */
  deleteByUser(userId: string, exceptId?: string): Promise<string[]>;
  /**
   * Removes expired records; returns how many. Stores with native expiry may return 0.
   * A store with a history also deletes its entries expired at `now` (not counted).
   */
  prune(now: number): Promise<number>;
  /** Round trip to the backing service; rejects when it is unavailable. */
  ping(): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
  /**
   * Optional: the bus that reaches every process using this store, the same object on every
   * call, closed by the store's `close()`. A manager given no `bus` takes it (with the local
   * cache), so a store that offers one is cached and safe across processes by default
   * (`sqliteStore` offers one on its file).
   */
  bus?(): SessionBus;
  /**
   * Optional: `create` for a record with a user (`record.userId` is never `null` here), under
   * a cap on that user's live sessions (see {@link SessionCap}), atomically against every
   * other `createCapped` of the same user on this backend, from any process or instance: two
   * logins racing on two instances never both see room for one session. Expired sessions do
   * not count, and are never reported as evicted. Required when the manager is given
   * `maxSessionsPerUser`; every store of coatcheck implements it.
   */
  createCapped?(record: SessionRecord, cap: SessionCap, now: number): Promise<CappedCreateResult>;
  /** Optional: appends to the session history (see {@link HistoryStore}). */
  appendHistory?: HistoryStore['appendHistory'];
  /** Optional: reads the session history (see {@link HistoryStore}). */
  readHistory?: HistoryStore['readHistory'];
}
