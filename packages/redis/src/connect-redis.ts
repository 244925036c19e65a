/**
 * `connectRedis`: connects a node-redis, ioredis or iovalkey client at start-up within a bound,
 * or says why not. Exported from `@coatcheck/redis`.
 *
 * Why it exists: with the reconnect strategy coatcheck recommends (retry forever, so a
 * running server survives any outage), `client.connect()` never settles while Redis is
 * unreachable. At start-up that is the wrong behaviour: the application waits forever, never
 * listens, and nothing says why. Here the same client keeps retrying, which lets a Redis that
 * starts a moment after the application (containers) still be found, but only until the
 * deadline; then the client is destroyed and the promise rejects with a message naming the
 * URL (password hidden), the last connection error and what to check. Answers that cannot
 * get better by retrying (a wrong password, a database number that does not exist) fail at
 * once.
 *
 * @module
 */
import { SessionConfigError, SessionStartupError } from 'coatcheck/errors';
import { isIoredis, type IoredisClientLike } from './ioredis-types.js';
import { describeIoredisTarget, describeRedisTarget, SENTINEL_TARGET, type DescribableRedisClient } from './redis-target.js';

/** Default of `timeoutMs`: how long start-up may wait for Redis. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Options of {@link connectRedis}. */
export interface ConnectRedisOptions {
  /**
   * How long to keep trying, in ms, before the client is destroyed and the promise rejects.
   * @default 10_000
   */
  timeoutMs?: number;
}

/**
 * The part of a node-redis v5 or v6 client `connectRedis` uses: `createClient()`,
 * `createCluster()` or `createSentinel()`, not yet connected.
 */
export interface ConnectableRedisClient extends DescribableRedisClient {
  connect(): Promise<unknown>;
  destroy(): unknown;
  readonly isOpen: boolean;
  readonly isReady?: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

const WHAT_TO_CHECK =
  'Check that Redis is running and reachable from this host (a firewall or security group may drop the connection), ' +
  'that REDIS_URL (or the url you passed) points to it, and that a TLS server is addressed as rediss://.';

// Server replies that retrying cannot change: bad credentials, a missing database number,
// a command the server refuses. Connection errors (refused, reset, timeout) and transient
// replies (LOADING, MASTERDOWN) are retried until the deadline.
const PERMANENT_REPLY = /^(WRONGPASS|NOAUTH|NOPERM|ERR)\b/;
const AUTH_REPLY = /^(WRONGPASS|NOAUTH|NOPERM)\b|^ERR AUTH\b|password/i;

/** One line for a driver error: Node's connection errors may have an empty message. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message || (error instanceof AggregateError ? error.errors.map(describeError).join('; ') : '');
  if (typeof code === 'string' && !message.includes(code)) return message ? `${code}: ${message}` : code;
  return message || error.name;
}

function isPermanent(error: unknown): error is Error {
  return error instanceof Error && (error as { code?: unknown }).code === undefined && PERMANENT_REPLY.test(error.message);
}

function permanentError(target: string, error: Error): SessionStartupError {
  const message = AUTH_REPLY.test(error.message)
    ? `Redis at ${target} refused the credentials: ${error.message}. Check the user and password in REDIS_URL (redis://user:password@host:port) or the username/password options of the client; a server without a password needs none.`
    : `Redis at ${target} refused the connection set-up: ${error.message}. Check REDIS_URL (a database number after the port must exist on the server) and the client's options.`;
  return new SessionStartupError('redis', message, { cause: error });
}

function timeoutError(target: string, timeoutMs: number, lastError: unknown, reachedSocket: boolean): SessionStartupError {
  const what =
    lastError !== undefined
      ? `Could not connect to Redis at ${target} within ${timeoutMs} ms (last error: ${describeError(lastError)}).`
      : reachedSocket
        ? `Connected to ${target} but no Redis answer came within ${timeoutMs} ms: is it a TLS server (use rediss://), another service, or a proxy that holds the connection?`
        : `Could not connect to Redis at ${target} within ${timeoutMs} ms (no answer).`;
  return new SessionStartupError('redis', `${what} ${WHAT_TO_CHECK} The client was destroyed.`, lastError === undefined ? {} : { cause: lastError });
}

function rejectedError(target: string, error: unknown, lastError: unknown): SessionStartupError {
  const detail = lastError === undefined ? describeError(error) : `${describeError(error)}; last error: ${describeError(lastError)}`;
  return new SessionStartupError('redis', `Could not connect to Redis at ${target} (${detail}). ${WHAT_TO_CHECK} The client was destroyed.`, {
    cause: lastError ?? error,
  });
}

// destroy() of a client that never connected may throw or reject (the cluster's does);
// either way the client is done with.
function destroyQuietly(client: ConnectableRedisClient): void {
  try {
    const result = client.destroy() as { catch?: (fn: () => void) => unknown } | undefined;
    result?.catch?.(() => {});
  } catch {
    // already closed
  }
}

function assertTimeout(timeoutMs: unknown): asserts timeoutMs is number {
  if (!Number.isSafeInteger(timeoutMs) || (timeoutMs as number) < 1 || (timeoutMs as number) > 2 ** 31 - 1) {
    throw new SessionConfigError('connectRedis: `timeoutMs` must be an integer number of milliseconds between 1 and 2^31 - 1.');
  }
}

/**
 * Connects `client` and resolves with it once it is ready; rejects within `timeoutMs`
 * (default 10 s) with {@link SessionStartupError} (`ERR_SESSION_STORE_STARTUP`) when Redis
 * cannot be reached, after destroying the client. The message names the URL with its password
 * hidden and what to check. A wrong password or a database number the server does not have
 * fails at once. A client that is already connected is returned as is.
 *
 * Works with `createClient()`, `createCluster()` and `createSentinel()` of node-redis v5
 * and v6, and with ioredis / iovalkey clients (`new Redis(url, { lazyConnect: true })` or one
 * already connecting; without the offline queue, commands fail until it is ready). An `'error'` listener is attached while connecting (the errors go into the
 * message), so an unreachable server cannot crash the process before the deadline.
 *
 * @throws `SessionConfigError` when `timeoutMs` is not a positive integer.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { connectRedis, createRedisClientOptions } from '@coatcheck/redis'
 *
 * const client = await connectRedis(createClient(createRedisClientOptions({ url: process.env.REDIS_URL })))
 * ```
 */
export function connectRedis<C extends ConnectableRedisClient | IoredisClientLike>(client: C, options: ConnectRedisOptions = {}): Promise<C> {
  const timeoutMs = options?.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  assertTimeout(timeoutMs);
  if (isIoredis(client)) return connectIoredis(client, timeoutMs);
  return connectNodeRedis(client as C & ConnectableRedisClient, timeoutMs);
}

function connectNodeRedis<C extends ConnectableRedisClient>(client: C, timeoutMs: number): Promise<C> {
  // A cluster client has no isReady in v5: open means connected there.
  if (client.isReady === true || (client.isReady === undefined && client.isOpen)) return Promise.resolve(client);
  const target = describeRedisTarget(client);

  return new Promise<C>((resolve, reject) => {
    let settled = false;
    let lastError: unknown;
    let reachedSocket = false;
    // A Sentinel client says 'connect' for its own set-up, not for a socket to Redis.
    const onConnect = (): void => {
      reachedSocket = target !== SENTINEL_TARGET;
    };
    const onError = (error: unknown): void => {
      if (settled) return; // the listener stays on a destroyed client: late errors are dropped
      lastError = error;
      if (isPermanent(error)) fail(permanentError(target, error));
    };
    const onReady = (): void => succeed();
    const timer = setTimeout(() => fail(timeoutError(target, timeoutMs, lastError, reachedSocket)), timeoutMs);

    function fail(error: SessionStartupError): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('ready', onReady);
      destroyQuietly(client);
      reject(error);
    }
    function succeed(): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('ready', onReady);
      client.off('error', onError);
      resolve(client);
    }

    client.on('error', onError);
    client.on('connect', onConnect);
    if (client.isOpen) {
      // connect() was already called without waiting for it: wait for the same 'ready'.
      client.on('ready', onReady);
      return;
    }
    // node-redis v5 resolves connect() of a client destroyed while connecting; `settled`
    // makes that (and any late rejection) a no-op.
    // A cluster or Sentinel client rejects when none of its seed nodes answers.
    client.connect().then(succeed, (error: unknown) => {
      if (settled) return;
      fail(isPermanent(error) ? permanentError(target, error) : rejectedError(target, error, lastError));
    });
  });
}

/**
 * ioredis / iovalkey: waits for `'ready'` until the deadline. `connect()` rejects after a first
 * failed attempt while the client keeps retrying, so its rejection is not the outcome.
 */
function connectIoredis<C extends IoredisClientLike>(client: C, timeoutMs: number): Promise<C> {
  if (client.status === 'ready') return Promise.resolve(client);
  const target = describeIoredisTarget(client);
  return new Promise<C>((resolve, reject) => {
    let settled = false;
    let lastError: unknown;
    let reachedSocket = false;
    const onConnect = (): void => {
      reachedSocket = target !== SENTINEL_TARGET;
    };
    const onError = (error: unknown): void => {
      if (settled) return; // the listener stays on a disconnected client: late errors are dropped
      lastError = error;
      if (isPermanent(error)) finish(permanentError(target, error));
    };
    const onReady = (): void => finish(null);
    // A retryStrategy that gave up: the client ends and will not try again.
    const onEnd = (): void => finish(rejectedError(target, new Error('the client stopped reconnecting (retryStrategy)'), lastError));
    const timer = setTimeout(() => finish(timeoutError(target, timeoutMs, lastError, reachedSocket)), timeoutMs);

    function finish(error: SessionStartupError | null): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('ready', onReady);
      client.off('end', onEnd);
      if (error === null) {
        client.off('error', onError);
        resolve(client);
        return;
      }
      try {
        client.disconnect();
      } catch {
        // already ended
      }
      reject(error);
    }
    client.on('error', onError);
    client.on('connect', onConnect);
    client.on('ready', onReady);
    client.on('end', onEnd);
    if (client.status === 'wait') client.connect().catch(() => {});
  });
}
