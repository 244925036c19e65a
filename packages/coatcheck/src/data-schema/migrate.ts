/**
 * The version of the data's shape, and lazy migrations. The version is kept inside `data`,
 * under the reserved key `$coatcheck.dataVersion` (as `$coatcheck.auth` is, see
 * `store/auth-in-data.ts`): every store persists `data` already, so versions need no store
 * change. A record without it is version 1, so data written before the option existed is
 * version 1, and a manager at version 1 never writes the key.
 *
 * A record read at an older version is migrated in memory, one step after the other; nothing
 * is written then. The migrated data (stamped with the new version) is what the session's next
 * write stores: a session only read keeps its old record, and costs a migration per read
 * (once per cache fill with the local cache).
 *
 * @module
 */
import { RESERVED_PREFIX } from '../session/operations.js';
import type { SessionData } from '../store/types.js';
import type { DataMigration } from './data-options.js';
import { appKeys, withReserved } from './validate.js';

/** The key of `data`, as stored, that holds the version of its shape: reserved. */
const DATA_VERSION_KEY = `${RESERVED_PREFIX}dataVersion`;

/** The version `data` was written at: its stamp, or 1 without one (or with a malformed one). */
export function versionOf(data: SessionData): number {
  const stamp = data[DATA_VERSION_KEY];
  return typeof stamp === 'number' && Number.isSafeInteger(stamp) && stamp > 1 ? stamp : 1;
}

/**
 * `data` stamped with `version` before a write, unless it already carries that version or a
 * newer one (a record of newer code is never stamped down). Returns `data` itself when
 * nothing changes.
 */
export function stampVersion(data: SessionData, version: number): SessionData {
  if (version === 1 || versionOf(data) >= version) return data;
  return { ...data, [DATA_VERSION_KEY]: version };
}

/** The outcome of a migration: the data, or the step that threw (or returned no object) and why. */
export type Migrated = { readonly ok: true; readonly data: SessionData } | { readonly ok: false; readonly step: number; readonly cause: unknown };

/**
 * Runs the migrations from `from` + 1 up to `to` on the application's keys of `data`: the
 * migrated data, with coatcheck's keys kept and stamped `to`, or the step that failed.
 */
export function migrateData(data: SessionData, from: number, to: number, migrate: { readonly [version: number]: DataMigration }): Migrated {
  let app = appKeys(data);
  for (let step = from + 1; step <= to; step++) {
    let next: unknown;
    try {
      next = (migrate[step] as DataMigration)(app);
    } catch (cause) {
      return { ok: false, step, cause };
    }
    if (next === null || typeof next !== 'object' || Array.isArray(next) || typeof (next as { then?: unknown }).then === 'function') {
      const got = next === null ? 'null' : Array.isArray(next) ? 'an array' : typeof next === 'object' ? 'a promise' : typeof next;
      return { ok: false, step, cause: new TypeError(`data.migrate[${step}] returned ${got}; it must return the data object, synchronously.`) };
    }
    app = next as SessionData;
  }
  return { ok: true, data: stampVersion(withReserved(data, app), to) };
}
