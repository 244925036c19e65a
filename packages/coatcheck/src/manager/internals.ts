/**
 * What adapters and sibling packages may know about a manager beyond its public interface:
 * its logger, so their warnings go where the app's other session warnings go, and its history
 * recorder, so the token service records refreshes in the same history; and its session
 * opener, so the HTTP policy continues from the store read without promises of its own. Internal; reached
 * through `coatcheck/adapter`.
 *
 * @module
 */
import type { HistoryNote, HistoryRecorder } from './history.js';
import type { Logger } from './options.js';
import type { RequestInfo } from './manager.js';
import type { OpenSession } from './open-session.js';
import type { Session } from '../session/session-types.js';

interface Internals {
  readonly logger: Logger;
  readonly history: HistoryRecorder;
  readonly open: OpenSession<any>;
}

const internals = new WeakMap<object, Internals>();

/** Records `manager`'s internals (called once by `createSessionManager`). */
export function registerManagerInternals(manager: object, logger: Logger, history: HistoryRecorder, open: OpenSession<any>): void {
  internals.set(manager, { logger, history, open });
}

/**
 * How the HTTP policy opens a request's session: `manager`'s opener, or for a manager of
 * unknown origin (a wrapper, a stand-in) its public `load`.
 */
export function sessionOpener<D extends object>(manager: { load(request: RequestInfo): Promise<Session<D>> }): OpenSession<D> {
  const own = internals.get(manager)?.open;
  if (own !== undefined) return own as OpenSession<D>;
  return (request, ok, fail) => manager.load(request).then(ok, fail);
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
