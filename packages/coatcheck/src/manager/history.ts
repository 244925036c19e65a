/**
 * The session history of one manager: its option, and the recorder the lifecycle calls write
 * through and `manager.history` reads through. Every store call goes through the gateway.
 *
 * Only lifecycle events write (login, rotation, revocation, refresh, a CSRF refusal, a change
 * of address seen at a write that was due anyway): a read-only request never does. A failed
 * history write is logged and does not fail the call that caused it, whose own write already
 * happened.
 *
 * @module
 */
import { SessionConfigError } from '../errors.js';
import type { StoreGateway } from '../store/gateway.js';
import type { HistoryActor, HistoryEntry, HistoryLimits, HistoryQuery, HistoryType } from '../store/history-types.js';
import type { SessionStore } from '../store/types.js';
import { captureDevice } from './devices.js';
import type { Logger } from './options.js';

/** The `history` option of `createSessionManager`. */
export interface HistoryOptions {
  /**
   * How long entries are kept: a duration such as `'30d'`, `'12h'`, `'90m'`, `'45s'`, or a
   * number of milliseconds. Between 1 second and 3650 days. @default '30d'
   */
  retention?: string | number;
  /** Entries kept per session (the newest). @default 100 */
  maxEntriesPerSession?: number;
  /** Entries kept per user, over all their sessions (the newest). @default 1000 */
  maxEntriesPerUser?: number;
}

/** Options of `manager.history`. */
export interface HistoryReadRequest {
  /** At most this many entries, 1 to 1000. @default 50 */
  limit?: number;
  /** Only entries before this time (epoch ms), to page back from the last entry's `at`. */
  before?: number;
}

/** The history settings after validation. */
export interface ResolvedHistory {
  readonly retentionMs: number;
  readonly limits: HistoryLimits;
}

/** What a lifecycle call reports; the recorder adds the time and the expiry. */
export interface HistoryNote {
  readonly type: HistoryType;
  readonly sessionId: string;
  /** Anonymous sessions have no history: a note with `null` is dropped. */
  readonly userId: string | null;
  readonly actor: HistoryActor;
  readonly previousId?: string | null;
  readonly reason?: string | null;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
}

/** Writes and reads the history of one manager. */
export interface HistoryRecorder {
  /** Appends the notes of users' sessions; never rejects (a failure is logged). */
  record(notes: readonly HistoryNote[]): Promise<void>;
  /** `manager.history`. */
  read(query: HistoryQuery, request?: HistoryReadRequest): Promise<HistoryEntry[]>;
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const MIN_RETENTION = 1000;
const MAX_RETENTION = 3650 * 86_400_000;
const MAX_ENTRIES = 100_000;
const MAX_READ = 1000;
// A device's history is followed back through its rotations at most this far.
const MAX_HOPS = 10;

function retentionMs(value: string | number | undefined): number {
  if (value === undefined) return 30 * 86_400_000;
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  const ms = typeof value === 'number' ? value : match ? Number(match[1]) * (UNITS[match[2] as string] as number) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < MIN_RETENTION || ms > MAX_RETENTION) {
    throw new SessionConfigError(
      `history.retention must be a duration such as '30d', '12h', '90m' or '45s', or a number of milliseconds, between 1 second and 3650 days; got ${JSON.stringify(value)}.`,
    );
  }
  return ms;
}

function entryCount(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_ENTRIES) {
    throw new SessionConfigError(`history.${name} must be a whole number from 1 to ${MAX_ENTRIES}; got ${JSON.stringify(value)}.`);
  }
  return value;
}

/**
 * Validates the `history` option. Not given: on when the store keeps a history, off when it
 * does not. `false`: off. Given: the store must keep one. Throws `SessionConfigError`.
 */
export function resolveHistory(option: HistoryOptions | boolean | undefined, store: SessionStore): ResolvedHistory | null {
  if (option === false) return null;
  const capable = typeof store.appendHistory === 'function' && typeof store.readHistory === 'function';
  if (option === undefined && !capable) return null;
  if (option !== undefined && option !== true && (option === null || typeof option !== 'object')) {
    throw new SessionConfigError("history must be false, true, or an object such as { retention: '30d', maxEntriesPerSession: 100 }.");
  }
  if (!capable) {
    throw new SessionConfigError(
      `history needs a store that keeps it: store "${String(store.name)}" has no appendHistory() and readHistory(). Use memoryStore, sqliteStore, redisStore or postgresStore (docs/stores.md says how a store adds it), or pass history: false.`,
    );
  }
  const options: HistoryOptions = option === true || option === undefined ? {} : option;
  return Object.freeze({
    retentionMs: retentionMs(options.retention),
    limits: Object.freeze({
      perSession: entryCount('maxEntriesPerSession', options.maxEntriesPerSession, 100),
      perUser: entryCount('maxEntriesPerUser', options.maxEntriesPerUser, 1000),
    }),
  });
}

function assertQuery(query: HistoryQuery): void {
  const { sessionId, userId } = (query ?? {}) as { sessionId?: unknown; userId?: unknown };
  const one = (value: unknown) => typeof value === 'string' && value !== '';
  if (one(sessionId) === one(userId) || (sessionId !== undefined && userId !== undefined)) {
    throw new TypeError('history(query): pass { sessionId } or { userId }, a non-empty string.');
  }
}

function readLimit(request: HistoryReadRequest | undefined): { limit: number; before: number | undefined } {
  const limit = request?.limit ?? 50;
  const before = request?.before;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_READ)
    throw new TypeError(`history(query, { limit }): limit must be a whole number from 1 to ${MAX_READ}.`);
  if (before !== undefined && !Number.isFinite(before)) throw new TypeError('history(query, { before }): before must be a time in epoch milliseconds.');
  return { limit, before };
}

const newestFirst = (a: HistoryEntry, b: HistoryEntry): number => b.at - a.at;

/** Creates the recorder; `settings` `null` is a manager without history. */
export function createHistoryRecorder(gateway: StoreGateway, settings: ResolvedHistory | null, now: () => number, logger: Logger): HistoryRecorder {
  return {
    async record(notes) {
      if (settings === null) return;
      const at = now();
      const entries: HistoryEntry[] = [];
      for (const note of notes) {
        if (note.userId === null) continue;
        // Bounded and stripped of control characters, as in the device list. (AB-10)
        const device = captureDevice(note.userAgent, note.ip);
        entries.push({
          at,
          type: note.type,
          sessionId: note.sessionId,
          previousId: note.previousId ?? null,
          userId: note.userId,
          actor: note.actor,
          reason: note.reason ?? null,
          ip: device.ip,
          userAgent: device.userAgent,
          expiresAt: at + settings.retentionMs,
        });
      }
      if (entries.length === 0) return;
      try {
        await gateway.appendHistory(entries, settings.limits);
      } catch (error) {
        logger.error('coatcheck: could not record session history; the session change itself was written', { types: entries.map((e) => e.type), error });
      }
    },
    async read(query, request) {
      if (settings === null) {
        throw new SessionConfigError('manager.history(): this manager keeps no history (history: false, or a store without appendHistory and readHistory).');
      }
      assertQuery(query);
      const { limit, before } = readLimit(request);
      const options = { limit, now: now(), ...(before === undefined ? {} : { before }) };
      if (query.userId !== undefined) return gateway.readHistory({ userId: query.userId }, options);
      // A session's history includes the tickets it had before its rotations (login, regenerate).
      const out: HistoryEntry[] = [];
      let id: string | null = query.sessionId as string;
      for (let hop = 0; id !== null && hop <= MAX_HOPS && out.length < limit; hop++) {
        const entries: HistoryEntry[] = await gateway.readHistory({ sessionId: id }, options);
        out.push(...entries);
        // The oldest rotation of this ticket names the one before it (entries are newest first).
        id = null;
        for (const entry of entries) if (entry.previousId !== null) id = entry.previousId;
      }
      return out.sort(newestFirst).slice(0, limit);
    },
  };
}
