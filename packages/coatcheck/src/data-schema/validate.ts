/**
 * Running the schemas of the `data` option when data is written: a value at `set`/`update`
 * when its validator answers synchronously (the error points at the line that wrote it),
 * and before the store write what could not be checked then: values whose validator answered
 * with a promise, a login's merged data, and the data as a whole for a whole-data schema.
 * coatcheck's own `$coatcheck.` keys are never given to a schema.
 *
 * @module
 */
import { SessionDataInvalidError, type DataIssue } from './data-errors.js';
import { cloneValue, put, RESERVED_PREFIX } from '../session/operations.js';
import type { SessionData } from '../store/types.js';
import type { StandardSchemaV1 } from './standard-schema.js';

type Result = StandardSchemaV1.Result<unknown>;

const ignore = () => {};
const isPromise = (value: Result | Promise<Result>): value is Promise<Result> => typeof (value as { then?: unknown }).then === 'function';

/** The issues with their paths as plain keys (`{ key }` segments unwrapped). */
export function toIssues(issues: readonly StandardSchemaV1.Issue[]): DataIssue[] {
  return issues.map((issue) => ({
    message: issue.message,
    path: (issue.path ?? []).map((segment) => (typeof segment === 'object' && segment !== null ? segment.key : segment)),
  }));
}

/** The value a result stands for, or the error naming `key` (`null`: the whole data). */
function outcome(key: string | null, result: Result): unknown {
  if (result.issues !== undefined) throw new SessionDataInvalidError(key, toIssues(result.issues));
  return result.value;
}

/** A key no per-key schema describes: refused like an invalid value. */
function unknownKey(key: string): SessionDataInvalidError {
  return new SessionDataInvalidError(key, [{ message: 'this key has no schema in data.schema (add one, or do not set it)', path: [] }]);
}

/** The application's keys of `data` (a copy without coatcheck's `$coatcheck.` keys). */
export function appKeys(data: SessionData): SessionData {
  const app: SessionData = {};
  for (const key of Object.keys(data)) if (!key.startsWith(RESERVED_PREFIX)) put(app, key, data[key]);
  return app;
}

/** `app` with the `$coatcheck.` keys of `source` put back. */
export function withReserved(source: SessionData, app: SessionData): SessionData {
  const data: SessionData = {};
  for (const key of Object.keys(app)) if (!key.startsWith(RESERVED_PREFIX)) put(data, key, app[key]);
  for (const key of Object.keys(source)) if (key.startsWith(RESERVED_PREFIX)) put(data, key, source[key]);
  return data;
}

/** Per-key schemas: the check at `set`/`update`, and the check before a write. */
export interface KeyChecks {
  /** Checks one value as it is written; returns the schema's output. A promise answer defers it to the write. */
  checkValue(key: string, value: unknown): unknown;
  /** Checks `keys` of `data` (`'all'`: every key) that could not be checked synchronously; returns the data to write. */
  checkKeys(data: SessionData, keys: Iterable<string> | 'all'): SessionData | Promise<SessionData>;
}

/** Creates the checks of per-key `schemas`. */
export function createKeyChecks(schemas: ReadonlyMap<string, StandardSchemaV1>): KeyChecks {
  // Keys whose validator answered with a promise once: from then on checked at the write only.
  const deferred = new Set<string>();

  function checkValue(key: string, value: unknown): unknown {
    if (key.startsWith(RESERVED_PREFIX)) return value;
    const schema = schemas.get(key);
    if (schema === undefined) throw unknownKey(key);
    if (deferred.has(key)) return value;
    const result = schema['~standard'].validate(value);
    if (!isPromise(result)) return outcome(key, result);
    deferred.add(key);
    result.then(ignore, ignore);
    return value;
  }

  function checkKeys(data: SessionData, keys: Iterable<string> | 'all'): SessionData | Promise<SessionData> {
    const all = keys === 'all';
    const checked: [string, StandardSchemaV1][] = [];
    for (const key of all ? Object.keys(data) : new Set(keys)) {
      if (key.startsWith(RESERVED_PREFIX) || !Object.hasOwn(data, key) || (!all && !deferred.has(key))) continue;
      const schema = schemas.get(key);
      if (schema === undefined) throw unknownKey(key);
      checked.push([key, schema]);
    }
    if (checked.length === 0) return data;
    // Each validation inside a promise: one refusal (or a validator that throws) must not leave
    // another's rejection unhandled.
    const outputs = checked.map(([key, schema]) =>
      Promise.resolve()
        .then(() => schema['~standard'].validate(data[key]))
        .then((answer) => [key, outcome(key, answer)] as const),
    );
    return Promise.all(outputs).then((answers) => {
      const next = { ...data };
      for (const [key, output] of answers) put(next, key, cloneValue(key, output));
      return next;
    });
  }

  return { checkValue, checkKeys };
}

/** Checks the application's keys of `data` against a whole-data `schema`; returns the data to write (its output). */
export function checkWhole(schema: StandardSchemaV1, data: SessionData): SessionData | Promise<SessionData> {
  const result = schema['~standard'].validate(appKeys(data));
  const adopt = (answer: Result): SessionData => {
    const output = outcome(null, answer);
    if (output === null || typeof output !== 'object' || Array.isArray(output)) {
      throw new SessionDataInvalidError(null, [{ message: 'data.schema must describe an object (its output is the session data)', path: [] }]);
    }
    return withReserved(data, cloneValue('data', output) as SessionData);
  };
  return isPromise(result) ? result.then(adopt) : adopt(result);
}
