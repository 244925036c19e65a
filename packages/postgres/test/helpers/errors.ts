// Assertions about how store failures surface.
import assert from 'node:assert/strict';
import { isSessionError, SessionStoreError } from 'coatcheck/errors';

/** Asserts a fail-closed store error: the coatcheck code, with the driver's error as cause. */
export function assertStoreError(error: unknown, context = ''): void {
  assert.ok(isSessionError(error), `${context} expected a SessionError, got ${String(error)}`);
  assert.equal(error.code, 'ERR_SESSION_STORE_UNAVAILABLE', context);
  assert.ok(error instanceof SessionStoreError);
}

/** Settles every promise and splits the outcomes. */
export async function settle<T>(calls: Promise<T>[]): Promise<{ values: T[]; errors: unknown[] }> {
  const results = await Promise.allSettled(calls);
  return {
    values: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    errors: results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])),
  };
}
