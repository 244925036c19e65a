/**
 * The error an unusable environment variable gives at start-up. A module of its own so that
 * the readers of each group of variables (lifetimes, throttles) throw it beside their parsers.
 *
 * @module
 */

/** Thrown for an unusable environment; the message names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
