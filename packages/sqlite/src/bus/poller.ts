/**
 * The background reader of one SQLite bus: every `pollIntervalMs` it asks whether another
 * connection committed (`PRAGMA data_version`, one cheap statement) and, only then, reads the
 * log rows after the last one it saw. It also prunes old rows and decides the bus state.
 * Internal.
 *
 * State: `up` while polls succeed; `down` from a failed poll (the file became unreadable,
 * the connection was closed) until one succeeds again. A poll is also treated as a gap (the
 * state drops and comes back, so caches empty) when the previous one is more than half the
 * retention ago: the event loop was stalled long enough that another process may have pruned
 * rows this one never read.
 *
 * @module
 */
import type { BusState } from 'coatcheck/bus';
import type { ChangeLog } from './change-log.js';

/** What the poller needs. */
export interface PollerInit {
  readonly log: ChangeLog;
  /** The hub's name in the log: rows it wrote were delivered locally already. */
  readonly sender: string;
  readonly pollIntervalMs: number;
  readonly retentionMs: number;
  /** Receives each new row's payload, in id order. */
  readonly receive: (payload: unknown) => void;
  readonly onState: (state: BusState) => void;
  /** A failed poll or prune (the bus reports it as a warning). */
  readonly onError: (operation: 'poll' | 'prune', error: unknown) => void;
}

/** A running poller. */
export interface Poller {
  readonly state: BusState;
  /** Polls at once (the timer keeps going); throws what the driver threw, and the state is then `down`. */
  check(): void;
  stop(): void;
}

/**
 * Starts polling. The first position is read at once, so a bus misses nothing published
 * after it was created; older rows are never delivered. Throws if that first read fails.
 */
export function startPoller(init: PollerInit): Poller {
  const { log, sender, retentionMs } = init;
  // The version first: a row committed between the two reads is then either in `lastId` or
  // read at the next poll, never lost behind a version that already counts it.
  let lastVersion = log.dataVersion();
  let lastId = log.lastId();
  let lastPollAt = Date.now();
  let lastPruneAt = lastPollAt;
  let state: BusState = 'up';
  let stopped = false;

  const setState = (next: BusState): void => {
    if (next === state || stopped) return;
    state = next;
    init.onState(next);
  };

  function poll(): void {
    const version = log.dataVersion();
    const now = Date.now();
    // After a failure, read whatever is there: the version may have moved meanwhile.
    if (version !== lastVersion || state === 'down') {
      for (const row of log.readAfter(lastId, sender)) {
        lastId = row.id;
        init.receive(row.payload);
      }
      lastVersion = version;
    }
    if (log.shared && now - lastPollAt > retentionMs / 2 && state === 'up') setState('down');
    lastPollAt = now;
    setState('up');
    if (now - lastPruneAt >= retentionMs / 2) {
      lastPruneAt = now;
      try {
        log.prune(now - retentionMs);
      } catch (error) {
        init.onError('prune', error);
      }
    }
  }

  // One poll; a failure is returned, not thrown, so the timer and `check` each decide.
  function tick(): { error: unknown } | null {
    try {
      poll();
      return null;
    } catch (error) {
      setState('down');
      return { error };
    }
  }

  // A private database (`:memory:`) has no other connection to hear from: no timer.
  const timer = log.shared
    ? setInterval(() => {
        if (stopped) return;
        const failed = tick();
        if (failed !== null) init.onError('poll', failed.error);
      }, init.pollIntervalMs)
    : undefined;
  // The bus alone must not keep a process alive; the app's server does.
  timer?.unref();

  return {
    get state() {
      return state;
    },
    check() {
      const failed = tick();
      if (failed !== null) throw failed.error;
    },
    stop() {
      if (stopped) return;
      setState('down');
      stopped = true;
      if (timer) clearInterval(timer);
    },
  };
}
