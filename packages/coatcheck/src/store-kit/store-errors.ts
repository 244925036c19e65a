/**
 * Turning a driver's failure into the one error the manager and the adapters understand.
 * Part of `coatcheck/store-kit`.
 *
 * @module
 */
import { SessionStoreError } from '../errors.js';

/** The errors of one store (or bus), named once; see {@link storeErrors}. */
export interface StoreErrors {
  /**
   * Wraps whatever a driver threw. A `SessionStoreError` (a timeout of your own, a closed
   * store) passes through unchanged; anything else becomes one whose message names the
   * operation, the driver's code (`SQLITE_BUSY`, `ECONNREFUSED`, `57P01`) and message, with
   * the original in `cause`.
   */
  wrap(operation: string, error: unknown): SessionStoreError;
  /** The call came after `close()`: it fails at once instead of reaching a released client. */
  closed(operation: string): SessionStoreError;
}

/**
 * Creates the error helpers of a store. `store` is the name in `SessionStoreError.store`
 * (your `SessionStore.name`); `label` leads every message (`'SQLite store'`, `'Redis'`).
 *
 * Why messages carry driver details: they go to logs through the manager, which answers the
 * request itself with a generic 503 and keeps this error as its `cause`.
 *
 * @example
 * ```ts
 * import { storeErrors } from 'coatcheck/store-kit'
 * const errors = storeErrors('acme', 'Acme store')
 * try { await client.get(id) } catch (error) { throw errors.wrap('get', error) }
 * ```
 */
export function storeErrors(store: string, label: string): StoreErrors {
  return {
    wrap(operation, error) {
      if (error instanceof SessionStoreError) return error;
      // An Error with an empty message (some drivers' resets) is still named by its class.
      const reason = error instanceof Error ? error.message || error.name : String(error);
      const code = (error as { code?: unknown } | null)?.code;
      const detail = typeof code === 'string' && code !== '' ? ` (${code})` : '';
      return new SessionStoreError(store, `${label} ${operation} failed${detail}: ${reason}`, { cause: error });
    },
    closed(operation) {
      return new SessionStoreError(store, `${label} ${operation} failed: it is closed`);
    },
  };
}
