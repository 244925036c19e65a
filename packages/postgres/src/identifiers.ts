/**
 * SQL identifiers (table, schema, channel) and the advisory-lock keys derived from them.
 * Identifiers cannot be bound as parameters, so they are the only text spliced into SQL:
 * only plain names are accepted, and they are double-quoted as well. Internal.
 *
 * @module
 */
import { createHash } from 'node:crypto';

// Postgres silently truncates identifiers to 63 bytes. Derived names (indexes, the meta
// table) append a suffix, so a base name is capped lower to keep them distinct.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_IDENTIFIER = 63;

/** Longest suffix appended to a table name: see {@link tableNames}. */
const LONGEST_SUFFIX = '_expires_idx'.length;
/** Longest accepted table name. */
export const MAX_TABLE_NAME = MAX_IDENTIFIER - LONGEST_SUFFIX;

/** Whether `value` is a plain identifier of at most `max` characters. */
export function isIdentifier(value: unknown, max = MAX_IDENTIFIER): value is string {
  return typeof value === 'string' && value.length <= max && IDENTIFIER.test(value);
}

/** Double-quotes an identifier already checked by {@link isIdentifier}. */
export function quote(identifier: string): string {
  return `"${identifier}"`;
}

/** Every name the store uses, quoted and schema-qualified where that applies. */
export interface TableNames {
  /** `"schema"."table"` or `"table"`: the sessions table. */
  readonly table: string;
  /** The one-row-per-job bookkeeping table (last prune time, prune count). */
  readonly meta: string;
  /** The session history: one row per entry (`<table>_history`). */
  readonly history: string;
  /** Index names (unqualified: an index always lives in its table's schema). */
  readonly userIndex: string;
  readonly expiresIndex: string;
  readonly historySessionIndex: string;
  readonly historyUserIndex: string;
  readonly historyExpiresIndex: string;
  /** Unquoted `schema.table`, for messages and lock keys. */
  readonly display: string;
}

/** Derives every name from a validated table name and optional schema. */
export function tableNames(tableName: string, schema: string | undefined): TableNames {
  const qualify = (name: string): string => (schema === undefined ? quote(name) : `${quote(schema)}.${quote(name)}`);
  return Object.freeze({
    table: qualify(tableName),
    meta: qualify(`${tableName}_meta`),
    history: qualify(`${tableName}_history`),
    userIndex: quote(`${tableName}_user_idx`),
    expiresIndex: quote(`${tableName}_expires_idx`),
    historySessionIndex: quote(`${tableName}_hsess_idx`),
    historyUserIndex: quote(`${tableName}_huser_idx`),
    historyExpiresIndex: quote(`${tableName}_hexp_idx`),
    display: schema === undefined ? tableName : `${schema}.${tableName}`,
  });
}

/**
 * A stable 64-bit advisory-lock key for `purpose` on `name`, as a decimal string for a
 * `$n::bigint` parameter. Every instance derives the same key from the same table, and
 * different tables (or purposes) practically never share one.
 */
export function advisoryKey(purpose: string, name: string): string {
  const digest = createHash('sha256').update(`coatcheck:${purpose}:${name}`).digest();
  return digest.readBigInt64BE(0).toString();
}
