/**
 * What adapters and sibling packages may know about a manager beyond its public interface:
 * its logger, so their warnings go where the app's other session warnings go, and its history
 * recorder, so the token service records refreshes in the same history. Internal; reached
 * through `coatcheck/adapter`.
 *
 * @module
 */
import type { HistoryNote, HistoryRecorder } from './history.js';
import type { Logger } from './options.js';

interface Internals {
  readonly logger: Logger;
  readonly history: HistoryRecorder;
}

const internals = new WeakMap<object, Internals>();

/** Records `manager`'s internals (called once by `createSessionManager`). */
export function registerManagerInternals(manager: object, logger: Logger, history: HistoryRecorder): void {
  internals.set(manager, { logger, history });
}

/** The logger `manager` was created with, or `console` for a manager of unknown origin. */
export function managerLogger(manager: object): Logger {
  return internals.get(manager)?.logger ?? console;
}

/**
 * Appends `notes` to `manager`'s session history (notes of anonymous sessions are dropped).
 * Never rejects: a failed write is logged through the manager's logger. Does nothing for a
 * manager without history or of unknown origin.
 */
export function recordHistory(manager: object, notes: readonly HistoryNote[]): Promise<void> {
  return internals.get(manager)?.history.record(notes) ?? Promise.resolve();
}
