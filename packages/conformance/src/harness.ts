/**
 * How the conformance suite obtains and releases stores. Exported from
 * `@coatcheck/conformance` (types only).
 *
 * @module
 */
import type { SessionStore } from 'coatcheck/store-kit';

/** Options of `describeStoreConformance`. */
export interface StoreConformanceOptions {
  /**
   * Called after every test (and after every model-based run) with the store it used.
   * Replaces the default, so a store shared between tests can be kept open here.
   * @default (store) => store.close()
   */
  cleanup?: (store: SessionStore) => Promise<void> | void;
  /**
   * Set when the backend drops expired records by itself (Redis TTLs). `prune` may then
   * return 0, and `delete`/`deleteByUser` may not report records that expired but were
   * never pruned; the suite accepts both. Expired records must still be invisible.
   * @default false
   */
  nativeExpiry?: boolean;
  /**
   * Opens a new store on the backend `store` used (the same file, key prefix or table), after
   * `store` was released: the history test checks that entries survive a restart. Without
   * it (an in-process backend such as `memoryStore` or SQLite `:memory:`) that test is skipped.
   */
  restart?: (store: SessionStore) => Promise<SessionStore> | SessionStore;
  /**
   * Number of random operation sequences the model-based test runs.
   * @default 60
   */
  numRuns?: number;
  /**
   * Number of concurrent callers in the concurrency tests.
   * @default 50
   */
  concurrency?: number;
}

/** What every behaviour module of the suite receives. */
export interface SuiteHarness {
  /** Resolved options. */
  readonly options: Required<Omit<StoreConformanceOptions, 'cleanup' | 'restart'>>;
  /** {@link StoreConformanceOptions.restart}, or `null`. */
  readonly restart: StoreConformanceOptions['restart'] | null;
  /** Opens a store from the user's factory. Pair every call with {@link SuiteHarness.release}. */
  open(): Promise<SessionStore>;
  /** Runs the user's cleanup (or closes the store). */
  release(store: SessionStore): Promise<void>;
}

/**
 * Wraps a test body so it gets its own store, released even when the body throws.
 * The suite uses random ids and user ids everywhere, so a store whose backend is shared
 * between tests still works.
 */
export function withStore(harness: SuiteHarness, body: (store: SessionStore) => Promise<void>): () => Promise<void> {
  return async () => {
    const store = await harness.open();
    try {
      await body(store);
    } finally {
      await harness.release(store);
    }
  };
}
