/**
 * Per-test set-up: a real store wrapped to count calls (a spy, not a mock: every call goes
 * to the store), a clock tests can move, a manager, and the adapter's app built on it.
 *
 * @module
 */
import { after } from 'node:test';
import { createSessionManager, SessionSerializationError, SessionStoreError, type SessionManager, type SessionManagerOptions } from 'coatcheck';
import type { SessionStore } from 'coatcheck/store-kit';
import type { BearerAuthenticator, CorsOptions, TrustProxy } from 'coatcheck/adapter';
import { memoryStore } from 'coatcheck/memory';
import type { SuiteApp, SuiteResponse } from './client.js';

/**
 * What a scenario asks of the adapter, passed straight to its options (`bearer`, `cors`,
 * `trustProxy`). Without `trustProxy` the app trusts every hop (`true`), so the suite's
 * `X-Forwarded-Proto: https` makes its requests HTTPS.
 */
export interface SuiteOptions {
  bearer?: BearerAuthenticator<any>;
  cors?: CorsOptions;
  trustProxy?: TrustProxy;
}

/**
 * Builds the adapter's app on `manager` with `options` given to the adapter (`trustProxy`
 * defaulting to `true`). The app parses JSON and urlencoded bodies, answers session errors
 * from handlers as `{ error: { code, message } }`, and serves `/public`, `/me` (`{ userId,
 * status, cart }`), `/cart`, `/login`, `/logout`, `/regenerate`, `/csrf`,
 * `/login-unawaited`, `/logout-unawaited` (the same calls without `await`, answering
 * `{ ok: true }` at once), `/throw-store` and `/throw-internal` (handlers that throw
 * {@link storeFailure} and {@link internalFailure}) and `POST /unserializable` (sets a BigInt,
 * so the commit fails with a 500 session error), `GET /sudo` (`session.requireFresh(SUDO)`,
 * answering `{ ok: true }`) and `POST /step-up` (`session.stepUp(method ?? 'otp', { challenge })`
 * from the body, answering `{ ok: true }`).
 */
export type AppFactory = (manager: SessionManager, options?: SuiteOptions) => Promise<SuiteApp>;

/** What `GET /sudo` asks: a one-time code or a security key within the last minute. */
export const SUDO = { within: 60_000, methods: ['otp', 'hwk'] } as const;

/** A driver detail that must never reach a client. */
export const INTERNAL_DETAIL = 'ECONNREFUSED 10.9.8.7:6379 internal-detail';
/** The store error `/throw-store` throws. */
export const storeFailure = () => new SessionStoreError('redis', `get failed: ${INTERNAL_DETAIL}`);
/** The non-store 5xx session error `/throw-internal` throws. */
export const internalFailure = () => new SessionSerializationError(`value of key "secretKey" is not serializable: ${INTERNAL_DETAIL}`);

export const SECRET = 'suite-secret-7f3a9c1e5b2d8f4a6c0e9b3d7f1a5c8e';

type Counts = Record<keyof SessionStore, number>;
export type CountingStore = SessionStore & { counts: Counts; total(): number; writes(): number };

const METHODS = ['get', 'create', 'update', 'touch', 'delete', 'listByUser', 'deleteByUser', 'prune', 'ping', 'close'] as const;

/** Wraps `inner` so every call is counted, then forwarded. */
export function countingStore(inner: SessionStore): CountingStore {
  const counts = {} as Counts;
  const wrapped = { name: inner.name, counts } as CountingStore;
  for (const key of METHODS) {
    counts[key] = 0;
    (wrapped as unknown as Record<string, unknown>)[key] = (...args: unknown[]) => {
      counts[key]++;
      return (inner[key] as (...a: unknown[]) => unknown)(...args);
    };
  }
  wrapped.total = () => METHODS.reduce((sum, key) => sum + counts[key], 0);
  wrapped.writes = () => counts.create + counts.update + counts.touch + counts.delete + counts.deleteByUser;
  return wrapped;
}

/**
 * Wraps `inner` so every call answers on a later turn of the event loop, as a networked store
 * does: a lifecycle call a handler does not await is then still running when the response is
 * committed, on every adapter alike.
 */
export function slowStore(inner: SessionStore): SessionStore {
  const slow = { name: inner.name } as SessionStore;
  for (const key of METHODS) {
    (slow as unknown as Record<string, unknown>)[key] = async (...args: unknown[]) => {
      await new Promise((resolve) => setImmediate(resolve));
      return (inner[key] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return slow;
}

export interface Clock {
  now(): number;
  advance(ms: number): void;
}

export interface Harness {
  app: SuiteApp;
  manager: SessionManager;
  store: CountingStore;
  clock: Clock;
}

/** Builds a manager and the adapter's app; both are closed when the test file ends. */
export async function buildHarness(
  factory: AppFactory,
  overrides: Partial<SessionManagerOptions> = {},
  store?: SessionStore,
  options?: SuiteOptions | ((manager: SessionManager, clock: Clock) => Promise<SuiteOptions>),
): Promise<Harness> {
  let t = Date.UTC(2026, 0, 1);
  const clock: Clock = {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
  const counted = countingStore(store ?? memoryStore({ sweepIntervalMs: 0, quiet: true }));
  const manager = createSessionManager({ store: counted, secrets: [SECRET], now: clock.now, production: false, ...overrides });
  const app = await factory(manager, typeof options === 'function' ? await options(manager, clock) : options);
  after(() => app.close());
  return { app, manager, store: counted, clock };
}

/** A request forwarded by a TLS-terminating proxy, from a page of the same origin. */
export const HTTPS = { 'x-forwarded-proto': 'https', 'sec-fetch-site': 'same-origin' } as const;
/** The app's own origin as the suite's HTTPS requests reach it. */
export const OWN_ORIGIN = 'https://shop.test';
/** Forwarded as HTTPS, with no Fetch Metadata: an old browser or a non-browser client. */
export const BARE = { 'x-forwarded-proto': 'https' } as const;

/** The `name=value` pair of the single Set-Cookie of a response. */
export function cookiePair(res: SuiteResponse): string {
  if (res.cookies.length !== 1)
    throw new Error(`expected one Set-Cookie, got ${res.cookies.length}: ${res.cookies.join(' | ')} (status ${res.status} ${res.body})`);
  return (res.cookies[0] as string).split(';')[0] as string;
}

/** The public id inside a `__Host-sid=<id>.<secret>.<sig>` pair. */
export function ticketId(pair: string): string {
  return (pair.split('=')[1] ?? '').slice(0, 24);
}
