/**
 * The default `onCorrupt` of a store. Part of `coatcheck/store-kit`.
 *
 * @module
 */
import type { WarningCode } from '../warnings.js';

/** Reports a record that was deleted as unreadable: where it was, and why. */
export type CorruptReporter = (key: string, error: Error) => void;

/**
 * Returns an `onCorrupt` that emits a process warning with `code` (the store's entry of
 * `WARNINGS`). The message names the store, the record's id or key and the problem, never
 * the stored contents: sessions hold personal data, and warnings end up in logs.
 *
 * @example
 * ```ts
 * import { reportCorrupt } from 'coatcheck/store-kit'
 * import { WARNINGS } from 'coatcheck/warnings'
 * const onCorrupt = options.onCorrupt ?? reportCorrupt('sqlite', WARNINGS.SQLITE_CORRUPT_ROW.code)
 * ```
 */
export function reportCorrupt(store: string, code: WarningCode | (string & {})): CorruptReporter {
  return (key, error) => {
    process.emitWarning(`coatcheck ${store} store deleted an unreadable record at ${key}: ${error.message}`, { code });
  };
}
