/**
 * Keeps every socket's session honest while it is open. Internal.
 *
 * Per session with open sockets on this instance, one timer fires at the session's expiry
 * (or after `revalidateIntervalMs`, whichever is sooner) and re-reads the session from the
 * store: gone means closed, extended (by HTTP requests) means re-armed. Bus messages and
 * local events close sockets at once; this timer is the backstop for expiry, for a
 * revocation message that was lost (WS-15) and for a store that stays down (WS-14, closed
 * after two failed checks). Socket activity touches the session, at most once per
 * `touchIntervalMs`, so a busy socket keeps its session from idling out.
 *
 * @module
 */
import { CLOSE_CODES } from './close-codes.js';
import type { ResolvedHubOptions } from './options.js';

/** A session with sockets on this instance. */
interface TrackedSession {
  readonly id: string;
  expiresAt: number;
  timer: NodeJS.Timeout | undefined;
  lastTouch: number;
  failures: number;
  busy: boolean;
}

/** How the tracker reaches the sockets. */
export interface LivenessHooks {
  /** Closes every socket of the session. */
  closeSession(id: string, code: number, reason: string): void;
}

// setTimeout's longest delay (about 24.8 days); longer ones fire at once.
const MAX_DELAY = 2 ** 31 - 1;
const RETRY_AFTER_FAILURE_MS = 1000;

export interface Liveness {
  /** Starts tracking (idempotent); `expiresAt` from the handshake. */
  track(id: string, expiresAt: number): void;
  untrack(id: string): void;
  /** Re-reads the session now (after a bus message said it changed). */
  check(id: string, goneCode?: number): void;
  /** Socket activity: touches the session if the last touch is old enough. */
  activity(id: string): void;
  readonly size: number;
  stop(): void;
}

export function createLiveness(options: ResolvedHubOptions, hooks: LivenessHooks): Liveness {
  const { manager, revalidateIntervalMs, touchIntervalMs, logger } = options;
  const sessions = new Map<string, TrackedSession>();

  function arm(entry: TrackedSession, delay?: number): void {
    clearTimeout(entry.timer);
    const untilExpiry = entry.expiresAt - manager.now();
    const wait = Math.max(0, Math.min(delay ?? Math.min(untilExpiry, revalidateIntervalMs), MAX_DELAY));
    entry.timer = setTimeout(() => run(entry, manager.peek, CLOSE_CODES.SESSION_REVOKED), wait);
    entry.timer.unref();
  }

  function run(entry: TrackedSession, read: (id: string) => ReturnType<typeof manager.peek>, goneCode: number): void {
    if (entry.busy || sessions.get(entry.id) !== entry) return;
    entry.busy = true;
    read(entry.id).then(
      (live) => {
        entry.busy = false;
        if (sessions.get(entry.id) !== entry) return;
        entry.failures = 0;
        if (live === null) {
          // Past its expiry it expired; before it, it was ended and the message did not reach us.
          const expired = manager.now() >= entry.expiresAt;
          hooks.closeSession(entry.id, expired ? CLOSE_CODES.SESSION_EXPIRED : goneCode, expired ? 'expired' : 'ended');
          return;
        }
        entry.expiresAt = live.expiresAt;
        arm(entry);
      },
      (error: unknown) => {
        entry.busy = false;
        if (sessions.get(entry.id) !== entry) return;
        entry.failures++;
        logger.warn('coatcheck realtime: could not re-check a session', { error, failures: entry.failures });
        // Fail closed, but not on one blip.
        if (entry.failures >= 2) hooks.closeSession(entry.id, CLOSE_CODES.TRY_AGAIN_LATER, 'store unavailable');
        else arm(entry, Math.min(RETRY_AFTER_FAILURE_MS, revalidateIntervalMs));
      },
    );
  }

  return {
    track(id, expiresAt) {
      if (sessions.has(id)) return;
      const entry: TrackedSession = { id, expiresAt, timer: undefined, lastTouch: performance.now(), failures: 0, busy: false };
      sessions.set(id, entry);
      arm(entry);
    },
    untrack(id) {
      const entry = sessions.get(id);
      if (entry === undefined) return;
      clearTimeout(entry.timer);
      sessions.delete(id);
    },
    check(id, goneCode = CLOSE_CODES.SESSION_ROTATED) {
      const entry = sessions.get(id);
      if (entry !== undefined) run(entry, manager.peek, goneCode);
    },
    activity(id) {
      const entry = sessions.get(id);
      if (entry === undefined) return;
      const now = performance.now();
      if (now - entry.lastTouch < touchIntervalMs) return;
      entry.lastTouch = now;
      run(entry, manager.touch, CLOSE_CODES.SESSION_REVOKED);
    },
    get size() {
      return sessions.size;
    },
    stop() {
      for (const entry of sessions.values()) clearTimeout(entry.timer);
      sessions.clear();
    },
  };
}
