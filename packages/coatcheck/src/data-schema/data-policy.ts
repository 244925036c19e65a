/**
 * The `data` option at work: what the manager does with session data on its way to and from
 * the store. The store gateway calls `readRecord` after each read (`null` policy: nothing,
 * so a manager without the option pays one null check per read); the session handle checks
 * each value it writes with `checkValue`, and every write of data (commit, new session,
 * login, regenerate) goes through `prepareWrite` before the store sees it.
 *
 * @module
 */
import { SessionDataInvalidError, type DataIssue } from './data-errors.js';
import type { Logger } from '../manager/options.js';
import { put, RESERVED_PREFIX, writtenKeys, type Operation, type ValueCheck } from '../session/operations.js';
import { deepFreeze } from '../store/frozen-record.js';
import type { SessionData, SessionRecord } from '../store/types.js';
import { WARNINGS } from '../warnings.js';
import type { DataOptions } from './data-options.js';
import { migrateData, stampVersion, versionOf } from './migrate.js';
import { isStandardSchema, type StandardSchemaV1 } from './standard-schema.js';
import { appKeys, checkWhole, createKeyChecks, toIssues, withReserved } from './validate.js';

/** What the manager does with session data (see the module comment). */
export interface DataPolicy {
  /** The per-key check of each value written, or `null` (a whole-data schema, or none). */
  readonly checkValue: ValueCheck | null;
  /**
   * The data to write, checked and stamped with the version; rejects (or throws) with
   * `SessionDataInvalidError` and nothing is written. `changed`: this write's operations (a
   * write that changes none of the application's keys only stamps), or `'all'` for data that
   * no check saw (a login's merge). `base`: the data of the record the operations were
   * replayed on, as `readRecord` returned it; when that view left part of the stored data out,
   * a write that changes none of the application's keys writes the stored keys back.
   */
  prepareWrite(data: SessionData, changed: readonly Operation[] | 'all', base?: SessionData): SessionData | Promise<SessionData>;
  /** The record as requests see it: migrated to this version, and validated with `validateOnLoad`. */
  readRecord(record: SessionRecord): SessionRecord;
}

const DROPPED = WARNINGS.SESSION_DATA_DROPPED;
const NEWER = WARNINGS.SESSION_DATA_NEWER;
const ignore = () => {};
const changesAppData = (op: Operation): boolean => op.kind === 'clear' || !op.key.startsWith(RESERVED_PREFIX);

/** The policy of a checked `data` option; reports through `logger`. */
export function createDataPolicy(options: DataOptions, logger: Logger): DataPolicy {
  const { schema, version = 1, migrate = {}, validateOnLoad = false } = options;
  const whole: StandardSchemaV1 | null = isStandardSchema(schema) ? schema : null;
  const perKey = new Map<string, StandardSchemaV1>(schema === undefined || whole !== null ? [] : Object.entries(schema));
  const keys = schema === undefined || whole !== null ? null : createKeyChecks(perKey);
  // One report per key (or migration step, or newer version): a bad record is read on every request of its session.
  const reported = new Set<string>();
  // Records the memory store (or the cache) hands out frozen, read again on every request: read once.
  const read = new WeakMap<SessionRecord, SessionRecord>();
  // Behind each view that left something out (a migration threw, validateOnLoad refused a key),
  // the application's keys as stored: coatcheck's own writes (a touch of the device, a refresh
  // token's state) must not turn a read-side fallback into lost data. Only the application's
  // next write to the session replaces them.
  const degraded = new WeakMap<SessionData, SessionData>();
  let warnedAsync = false;

  function drop(what: string, sessionId: string, why: string, context: Record<string, unknown>): void {
    if (reported.has(what)) return;
    reported.add(what);
    logger.warn(
      `${DROPPED.code} coatcheck: ${why}; requests read the session without it, and the store keeps it until the application writes to the session. ${DROPPED.fix}`,
      { code: DROPPED.code, sessionId, ...context },
    );
  }

  function refused(key: string | null, issues: readonly DataIssue[], sessionId: string): void {
    const error = new SessionDataInvalidError(key, issues);
    drop(key ?? '(data)', sessionId, `${error.message} (read from the store; validateOnLoad ${key === null ? 'read it as {}' : 'dropped it'})`, { key });
  }

  // One synchronous check on load: the output, or `undefined` when refused (reported). A promise keeps the value.
  function loadCheck(schema: StandardSchemaV1, value: unknown, key: string | null, sessionId: string): { value: unknown } | undefined {
    const result = schema['~standard'].validate(value);
    if (typeof (result as { then?: unknown }).then === 'function') {
      (result as Promise<unknown>).then(ignore, ignore);
      if (!warnedAsync) {
        warnedAsync = true;
        logger.warn(
          `${DROPPED.code} coatcheck: the schema of ${key === null ? 'the data' : `"${key}"`} answered with a promise on load; validateOnLoad runs synchronous validators only (the read path has none to wait on), so such values are read unchecked. They are still checked when written.`,
          { code: DROPPED.code, sessionId, key },
        );
      }
      return { value };
    }
    const answer = result as StandardSchemaV1.Result<unknown>;
    if (answer.issues === undefined) return { value: answer.value };
    refused(key, toIssues(answer.issues), sessionId);
    return undefined;
  }

  // A view that leaves out part of `stored` (which it was read from), remembered as such.
  function partial(stored: SessionData, app: SessionData): SessionData {
    const view = withReserved(stored, app);
    degraded.set(view, stored);
    return view;
  }

  function validateLoaded(data: SessionData, sessionId: string): SessionData {
    if (whole !== null) {
      const checked = loadCheck(whole, appKeys(data), null, sessionId);
      const output = checked?.value;
      if (output !== null && typeof output === 'object' && !Array.isArray(output)) return withReserved(data, output as SessionData);
      return partial(data, {});
    }
    const app: SessionData = {};
    let dropped = false;
    for (const key of Object.keys(data)) {
      if (key.startsWith(RESERVED_PREFIX)) continue;
      const schema = perKey.get(key);
      if (schema === undefined) {
        refused(key, [{ message: 'this key has no schema in data.schema', path: [] }], sessionId);
        dropped = true;
        continue;
      }
      const checked = loadCheck(schema, data[key], key, sessionId);
      if (checked !== undefined) put(app, key, checked.value);
      else dropped = true;
    }
    return dropped ? partial(data, app) : withReserved(data, app);
  }

  function readData(record: SessionRecord): SessionRecord {
    const stored = versionOf(record.data);
    if (stored > version) {
      if (!reported.has(`newer:${stored}`)) {
        reported.add(`newer:${stored}`);
        logger.warn(
          `${NEWER.code} coatcheck: session data of version ${stored} read by code at data.version ${version}; it is read as it is (not migrated, not validated) and keeps version ${stored} when written. ${NEWER.fix}`,
          { code: NEWER.code, sessionId: record.id, version: stored },
        );
      }
      return record;
    }
    let data = record.data;
    if (stored < version) {
      const migrated = migrateData(data, stored, version, migrate);
      if (migrated.ok) data = migrated.data;
      else {
        const reason = migrated.cause instanceof Error ? migrated.cause.message : String(migrated.cause);
        drop(
          `step:${migrated.step}`,
          record.id,
          `data.migrate[${migrated.step}] failed on a session's version-${migrated.step - 1} data (${reason}), so its data reads as {}`,
          {
            step: migrated.step,
            error: migrated.cause,
          },
        );
        // Not stamped: the stored data keeps its version, so fixed code can still migrate it.
        return { ...record, data: partial(data, {}) };
      }
    }
    if (validateOnLoad) data = validateLoaded(data, record.id);
    return data === record.data ? record : { ...record, data };
  }

  return {
    checkValue: keys === null ? null : keys.checkValue,
    prepareWrite(data, changed, base) {
      // Nothing of the application's changed (a touch, a device change, a refresh token's
      // state): nothing to judge, and stale data must not block coatcheck's own writes.
      if (changed !== 'all' && !changed.some(changesAppData)) {
        const stored = base === undefined ? undefined : degraded.get(base);
        return stored === undefined ? stampVersion(data, version) : withReserved(data, stored);
      }
      let checked: SessionData | Promise<SessionData> = data;
      // Data of a newer version is not this code's to judge as a whole; what it writes per key was checked.
      if (whole !== null && versionOf(data) <= version) checked = checkWhole(whole, data);
      else if (keys !== null) checked = keys.checkKeys(data, changed === 'all' ? 'all' : writtenKeys(changed));
      return checked instanceof Promise ? checked.then((ready) => stampVersion(ready, version)) : stampVersion(checked, version);
    },
    readRecord(record) {
      if (!validateOnLoad && versionOf(record.data) === version) return record;
      if (!Object.isFrozen(record)) return readData(record);
      const known = read.get(record);
      if (known !== undefined) return known;
      const result = deepFreeze(readData(record));
      read.set(record, result);
      return result;
    },
  };
}
