/**
 * Orderly shutdown for the store and the bus (SF-27). Internal.
 *
 * `close()` shuts the gate: calls that already started finish (or fail with
 * `SessionStoreError`) before the connections are released, and calls made afterwards fail
 * at once with `SessionStoreError` instead of reaching an ended pool.
 *
 * @module
 */
import type { StoreErrors } from 'coatcheck/store-kit';

/** See the module comment. */
export interface Gate {
  readonly closed: boolean;
  /** Runs `call` unless the gate is shut, and remembers it until it settles. */
  pass<T>(operation: string, call: () => Promise<T>): Promise<T>;
  /** Shuts the gate and resolves once every call that got through has settled. */
  shut(): Promise<void>;
}

/** Creates an open gate; `errors` names the component in errors. */
export function createGate(errors: StoreErrors): Gate {
  const inflight = new Set<Promise<void>>();
  let closed = false;
  return {
    get closed() {
      return closed;
    },
    pass(operation, call) {
      if (closed) return Promise.reject(errors.closed(operation));
      const result = call();
      const settled = result.then(
        () => {},
        () => {},
      );
      inflight.add(settled);
      void settled.then(() => inflight.delete(settled));
      return result;
    },
    async shut() {
      closed = true;
      await Promise.all([...inflight]);
    },
  };
}

/** Waits for `promise`, but no longer than `ms`; never rejects. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.then(
      () => {},
      () => {},
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
