/**
 * Changes to session data are recorded as operations, so that when another request changed
 * the session first, the fresh record can be loaded and the same changes replayed on it
 * instead of overwriting it (no lost updates).
 *
 * @module
 */
import { SessionSerializationError } from '../errors.js';
import type { SessionData } from '../store/types.js';

/**
 * Prefix of data keys that coatcheck's own packages keep in the session record (for example
 * the refresh-token state of `@coatcheck/tokens`). `clear()` leaves them alone, so clearing
 * a user's data does not end their token family. Applications must not use it.
 */
export const RESERVED_PREFIX = '$coatcheck.';

/** One recorded change. `update` functions must be pure: they may run again on replay. */
export type Operation =
  | { readonly kind: 'set'; readonly key: string; readonly value: unknown }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'update'; readonly key: string; readonly fn: (current: unknown) => unknown }
  | { readonly kind: 'clear' };

/**
 * Deep-copies a value through JSON, so later mutations by the caller do not leak into the
 * session and values that would not survive a store (BigInt, cycles, functions) fail here,
 * at the line that wrote them, instead of being silently lost.
 */
export function cloneValue(key: string, value: unknown): unknown {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    throw new SessionSerializationError(`session value "${key}" is ${typeof value}; only JSON values can be stored (use delete() to remove a key).`);
  }
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new SessionSerializationError(`session value "${key}" cannot be serialized to JSON: ${(cause as Error).message}`, { cause });
  }
  return JSON.parse(text);
}

/**
 * Puts `key` into `target`. Defining the property (instead of assigning) makes "__proto__" an
 * ordinary key rather than a prototype switch. (BI-11)
 */
export function put(target: SessionData, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Checks a value as it is written under a key and returns what to store (the `data` option's
 * per-key schemas; see `data-schema/validate.ts`), or throws.
 */
export type ValueCheck = (key: string, value: unknown) => unknown;

/** Applies one operation to `data` in place; `check` sees each value written (before it is copied). */
export function applyOperation(data: SessionData, op: Operation, check: ValueCheck | null = null): void {
  switch (op.kind) {
    case 'set':
      put(data, op.key, cloneValue(op.key, check === null ? op.value : check(op.key, op.value)));
      return;
    case 'delete':
      delete data[op.key];
      return;
    case 'update': {
      const current = Object.hasOwn(data, op.key) ? cloneValue(op.key, data[op.key]) : undefined;
      const next = op.fn(current);
      if (next === undefined) delete data[op.key];
      else put(data, op.key, cloneValue(op.key, check === null ? next : check(op.key, next)));
      return;
    }
    case 'clear':
      for (const key of Object.keys(data)) if (!key.startsWith(RESERVED_PREFIX)) delete data[key];
      return;
  }
}

/** Replays operations onto a copy of `data`. */
export function replayOperations(data: SessionData, ops: readonly Operation[], check: ValueCheck | null = null): SessionData {
  const copy: SessionData = {};
  for (const key of Object.keys(data)) put(copy, key, data[key]);
  for (const op of ops) applyOperation(copy, op, check);
  return copy;
}

/** The keys `ops` write a value to (`set`, `update`). */
export function writtenKeys(ops: readonly Operation[]): string[] {
  const keys: string[] = [];
  for (const op of ops) if (op.kind === 'set' || op.kind === 'update') keys.push(op.key);
  return keys;
}
