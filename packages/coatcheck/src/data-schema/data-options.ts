/**
 * The `data` option of `createSessionManager`: the schema of the session data, its version
 * and the migrations from older versions, the types inferred from the schema, and the
 * start-up checks (a misconfiguration throws `SessionConfigError` saying how to fix it).
 *
 * @module
 */
import { SessionConfigError } from '../errors.js';
import { RESERVED_PREFIX } from '../session/operations.js';
import { isStandardSchema, type StandardSchemaV1 } from './standard-schema.js';

/** A Standard Schema per key (`{ cart: z.array(Item) }`). */
type DataKeySchemas = { readonly [key: string]: StandardSchemaV1 };

/** What `data.schema` takes: one Standard Schema per key, or one for the whole data object. */
export type DataSchema = DataKeySchemas | StandardSchemaV1<unknown, object>;

/**
 * Upgrades data written at the version before the one it is registered under (`migrate[3]`
 * takes version-2 data). Synchronous and pure: it runs when a record is read, possibly more
 * than once for the same record, and what it returns is written at the session's next write.
 * It gets and returns the application's keys only (coatcheck's `$coatcheck.` keys are kept).
 */
export type DataMigration = (data: Record<string, any>) => Record<string, unknown>;

/** Options of {@link SessionManagerOptions.data}. See docs/typed-data.md. */
export interface DataOptions<S extends DataSchema = DataSchema> {
  /**
   * A Standard Schema (zod 3.24+, valibot 1+, arktype, ...) per key, or one for the whole data
   * object. Per key, a key without a schema is refused like an invalid value: the schema is
   * the whole truth. Values are checked when written, and the schema's output is stored.
   */
  readonly schema?: S;
  /**
   * The version of the data's shape this code writes; records without one are version 1.
   * Raise it with a migration when the shape changes. @default 1
   */
  readonly version?: number;
  /**
   * One migration per version above 1, up to `version`: `{ 2: (data) => ..., 3: (data) => ... }`.
   * Older records are migrated in order when read, and written back at their next write.
   */
  readonly migrate?: { readonly [version: number]: DataMigration };
  /**
   * Validate data read from the store too (synchronous validators only): a refused key is
   * dropped (a whole-data schema: the data reads as `{}`), reported once per key as
   * `COATCHECK_W016`; the store keeps it until the session's next write. @default false
   */
  readonly validateOnLoad?: boolean;
}

/** The session data type a schema describes: each key's output type, or the whole schema's output. */
export type InferSessionData<S extends DataSchema> = S extends StandardSchemaV1
  ? Extract<StandardSchemaV1.InferOutput<S>, object>
  : { -readonly [K in keyof S]: S[K] extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S[K]> : never };

const DATA_KEYS = new Set(['schema', 'version', 'migrate', 'validateOnLoad']);

/** Throws `SessionConfigError` for a `data` option that cannot work. */
export function assertDataOptions(data: unknown): asserts data is DataOptions {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new SessionConfigError('data must be an object: { schema, version?, migrate?, validateOnLoad? }.');
  }
  for (const key of Object.keys(data)) {
    if (!DATA_KEYS.has(key)) throw new SessionConfigError(`data.${key} is not an option; data takes schema, version, migrate and validateOnLoad.`);
  }
  const { schema, version = 1, migrate, validateOnLoad } = data as DataOptions;
  if (schema !== undefined) assertSchema(schema);
  if (validateOnLoad !== undefined && typeof validateOnLoad !== 'boolean') throw new SessionConfigError('data.validateOnLoad must be true or false.');
  if (validateOnLoad === true && schema === undefined)
    throw new SessionConfigError('data.validateOnLoad needs data.schema: there is nothing to validate with.');
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new SessionConfigError(`data.version must be a whole number of 1 or more (records without a version are version 1), not ${String(version)}.`);
  }
  assertMigrations(migrate, version);
}

function assertSchema(schema: unknown): void {
  if (isStandardSchema(schema)) return;
  const example = 'data.schema must be a Standard Schema (zod, valibot, arktype...) or an object of them, one per key: { cart: z.array(Item) }';
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw new SessionConfigError(`${example}.`);
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith(RESERVED_PREFIX))
      throw new SessionConfigError(`data.schema.${key}: keys starting with ${RESERVED_PREFIX} are coatcheck's own; rename it.`);
    if (!isStandardSchema(value))
      throw new SessionConfigError(`${example}; data.schema.${key} is not one (validators older than zod 3.24 or valibot 1 do not implement it).`);
  }
}

function assertMigrations(migrate: unknown, version: number): void {
  if (migrate === undefined) {
    if (version > 1)
      throw new SessionConfigError(`data.version is ${version} but data.migrate is missing: give one migration per version from 2 to ${version}.`);
    return;
  }
  if (migrate === null || typeof migrate !== 'object' || Array.isArray(migrate)) {
    throw new SessionConfigError('data.migrate must be an object of functions by version: { 2: (data) => ({ ...data, cart: [] }) }.');
  }
  for (const key of Object.keys(migrate)) {
    const step = Number(key);
    if (!Number.isSafeInteger(step) || String(step) !== key || step < 2 || step > version) {
      throw new SessionConfigError(
        `data.migrate[${JSON.stringify(key)}]: migrations are keyed by the version they upgrade to, from 2 to data.version (${version}).`,
      );
    }
  }
  for (let step = 2; step <= version; step++) {
    const fn = (migrate as Record<number, unknown>)[step];
    if (fn === undefined)
      throw new SessionConfigError(
        `data.migrate has no step ${step}: give one migration per version from 2 to ${version} (${step} upgrades version-${step - 1} data).`,
      );
    if (typeof fn !== 'function') throw new SessionConfigError(`data.migrate[${step}] must be a function (data) => data, not ${typeof fn}.`);
  }
}
