/**
 * Lifecycle calls (`login`, `logout`, `regenerate`, `destroy`) in flight on one handle, so a
 * handler that forgets `await` loses nothing: the commit waits for the call and reports it.
 *
 * Forgetting `await` used to answer 200 with no Set-Cookie while the call went on in the
 * background: the new ticket never reached the browser, the old one was already deleted (the
 * anonymous cart gone), and the new session showed up as an orphan in the device list. Now:
 *
 * - calls on one handle run one after another, as they would if each had been awaited;
 * - the promise a call returns notices when something subscribes to it (`await`, `.then`,
 *   `.catch`, `Promise.all` all call its `then`), so the commit can tell a call nobody waited
 *   for from one that was awaited, even when it already finished;
 * - the commit reports every call still running or never subscribed to as
 *   `ERR_SESSION_NOT_AWAITED` through the manager's logger (with the stack of the call),
 *   waits for them, and fails with the error of a failed call nobody subscribed to, which is
 *   what the handler would have thrown with `await`. The same in development and production:
 *   the response is the one the awaited code gives, so nothing to fail loudly about, and an
 *   error log names the line to fix.
 *
 * @module
 */
import { SessionNotAwaitedError } from '../errors.js';
import type { Logger } from '../manager/options.js';

/** A promise that records whether anything subscribed to it. */
class ObservedPromise<T> extends Promise<T> {
  // Derived promises (`.then()` results) are plain ones: only the call's own promise watches.
  static override get [Symbol.species]() {
    return Promise;
  }
  observed = false;
  // biome-ignore lint/suspicious/noThenProperty: a Promise subclass that notices being awaited has to override then()
  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.observed = true;
    return super.then(onfulfilled, onrejected);
  }
}

interface Call {
  readonly promise: ObservedPromise<void>;
  // Created when the call is made, so its stack points at the line without `await`.
  readonly notAwaited: SessionNotAwaitedError;
  settled: boolean;
  failed: boolean;
  error: unknown;
  reported: boolean;
}

const ignore = () => {};

/** The lifecycle calls of one handle. */
export interface CallTracker {
  /** Runs `run` after the calls before it, and returns a promise that notices `await`. */
  track(method: string, run: () => Promise<void>): Promise<void>;
  /**
   * For `commit()`: reports calls not awaited, waits for all of them, and throws the error of
   * a failed call nobody subscribed to.
   */
  settle(logger: Logger): Promise<void>;
  /**
   * For `commitCookies()`, which cannot wait: reports calls not awaited and says whether the
   * handle is final (every call finished, none failed unobserved).
   */
  check(logger: Logger): boolean;
}

/** Creates the tracker; a handle makes one on its first lifecycle call. */
export function createCallTracker(): CallTracker {
  const calls: Call[] = [];
  let tail: Promise<void> | null = null;

  function report(logger: Logger): void {
    for (const call of calls) {
      if (call.reported || (call.settled && call.promise.observed)) continue;
      call.reported = true;
      const { notAwaited } = call;
      logger.error(`coatcheck: ${notAwaited.message}`, { code: notAwaited.code, method: notAwaited.method, error: notAwaited });
    }
  }

  function unobservedFailure(): Call | undefined {
    return calls.find((call) => call.failed && !call.promise.observed);
  }

  return {
    track(method, run) {
      const work = tail === null ? run() : tail.then(run);
      const promise = new ObservedPromise<void>((resolve, reject) => void work.then(resolve, reject));
      // A promise nobody subscribes to is the very mistake tracked here: its failure is
      // thrown by the commit, not left to crash the process as an unhandled rejection.
      Promise.prototype.then.call(promise, undefined, ignore);
      const call: Call = { promise, notAwaited: new SessionNotAwaitedError(method), settled: false, failed: false, error: undefined, reported: false };
      calls.push(call);
      tail = work.then(
        () => {
          call.settled = true;
        },
        (error: unknown) => {
          call.settled = true;
          call.failed = true;
          call.error = error;
        },
      );
      return promise;
    },
    async settle(logger) {
      report(logger);
      await tail;
      const failed = unobservedFailure();
      if (failed !== undefined) throw failed.error;
    },
    check(logger) {
      report(logger);
      return calls.every((call) => call.settled) && unobservedFailure() === undefined;
    },
  };
}
