/**
 * `waitFor`: polls until something has happened (a message arrived, a socket closed), for
 * tests that observe another process or connection. It bounds the wait so a test that would
 * hang fails instead; it never asserts how long anything took.
 *
 * @module
 */

/**
 * Resolves to the first truthy value `check` returns, polling every 5 ms; rejects naming
 * `what` when nothing came within `capMs` (a hang guard, generous on a loaded machine).
 */
export async function waitFor<T>(what: string, check: () => T | undefined | null | false, capMs = 15_000): Promise<T> {
  const started = performance.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (performance.now() - started > capMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
