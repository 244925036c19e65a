/**
 * What adapters may know about a manager beyond its public interface: its logger, so their
 * warnings go where the app's other session warnings go. Internal; reached through
 * `coatcheck/adapter`.
 *
 * @module
 */
import type { Logger } from './options.js';

const loggers = new WeakMap<object, Logger>();

/** Records `manager`'s logger (called once by `createSessionManager`). */
export function registerManagerLogger(manager: object, logger: Logger): void {
  loggers.set(manager, logger);
}

/** The logger `manager` was created with, or `console` for a manager of unknown origin. */
export function managerLogger(manager: object): Logger {
  return loggers.get(manager) ?? console;
}
