/**
 * Moves users from express-session + connect-redis to coatcheck without logging them out,
 * one request at a time, exactly once per old session.
 *
 * A request that carries the old cookie and no live coatcheck session is migrated: the old
 * record is read, your `copy` function says what to keep, and a coatcheck session is created
 * (logged in with remember-me when the old cookie was persistent, or anonymous with its
 * data, e.g. a cart). Parallel first requests carrying one old cookie must end up as ONE
 * session, so:
 * - within a process, they share one migration (single flight per old id);
 * - across instances, the first to `SET NX` a claim key in Redis migrates; the others wait
 *   for the sealed pointer it leaves there (see `claim-pointer.ts`) and continue with the
 *   very same new cookie. The old `sess:<id>` key is deleted once the pointer is written.
 *
 * The result is framework-neutral: the `Cookie` header to continue with (the new cookie in
 * place of the old one, so the session middleware mounted after it loads the migrated
 * session) and the `Set-Cookie` values to add to the response (the new cookie, and one that
 * deletes the old cookie).
 *
 * @module
 */
import { isSessionError, SessionConfigError, SessionStoreError, type SessionManager } from 'coatcheck';
import { readCookie, type RequestInfo } from 'coatcheck/adapter';
import { openPointer, PENDING, pointerKey, sealPointer, type MovedSession } from './claim-pointer.js';
import { clearOldCookie, parseOldSession, replaceCookies, unsignOldCookie, wasPersistent, type OldSession } from './old-cookie.js';

/** The commands the bridge uses; a node-redis v5 or v6 client (any kind) fits. */
export interface BridgeRedisClient {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options?: { condition?: 'NX'; expiration?: { type: 'PX'; value: number } }): Promise<unknown>;
  del(keys: string | string[]): Promise<unknown>;
}

/** What to keep of an old session: `null` keeps nothing (the user starts afresh). */
export interface MigrationPlan<D extends object> {
  /** The user to log in, or `null`/absent for an anonymous session (a cart). */
  readonly userId?: string | null;
  /** Data to copy into the new session. */
  readonly data?: Partial<D>;
  /** Remember-me login. @default the old cookie was persistent (had `cookie.maxAge`) */
  readonly remember?: boolean;
}

/** Options of {@link createExpressSessionBridge}. */
export interface ExpressSessionBridgeOptions<D extends object> {
  /** The coatcheck session manager the users move to. */
  readonly manager: SessionManager<D>;
  /** The Redis client connect-redis used (connected). */
  readonly client: BridgeRedisClient;
  /** express-session's `secret` (every one still in use). */
  readonly secrets: readonly string[];
  /** Maps an old record to what the new session keeps. */
  readonly copy: (old: OldSession, context: { readonly persistent: boolean }) => MigrationPlan<D> | null;
  /** express-session's cookie name. @default 'connect.sid' */
  readonly cookieName?: string;
  /** Path and domain of the old cookie, so it can be deleted. @default '/' and none */
  readonly cookiePath?: string;
  readonly cookieDomain?: string;
  /** connect-redis' `prefix`. @default 'sess:' */
  readonly prefix?: string;
  /** Prefix of the claim/pointer keys. @default 'coatcheck:migrated:' */
  readonly claimPrefix?: string;
  /** How long the pointer to the new cookie lives, in seconds. @default 60 */
  readonly pointerTtlSeconds?: number;
  /** How long a parallel request waits for the migrating one, in ms. @default 5000 */
  readonly waitMs?: number;
}

/** The request's cookie header and details, as `manager.load` takes them. */
export type BridgeRequest = RequestInfo & { readonly cookie?: string | undefined };

/** What to do with a request that carried the old cookie. */
export interface BridgeOutcome {
  /** The `Cookie` header to continue with (hand it to the session middleware). */
  readonly cookie: string | undefined;
  /** `Set-Cookie` values to add to the response. */
  readonly setCookie: readonly string[];
  /** Whether the request now carries a migrated coatcheck session. */
  readonly migrated: boolean;
}

/** The bridge: `migrate(request)` for every request until the old cookies are gone. */
export interface ExpressSessionBridge {
  /** `null` when the request carries no old cookie (the common case: costs no I/O). */
  migrate(request: BridgeRequest): Promise<BridgeOutcome | null>;
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * Creates the bridge. Mount it before the session middleware.
 *
 * @example
 * ```ts
 * const bridge = createExpressSessionBridge({ manager, client, secrets: [process.env.OLD_SESSION_SECRET!],
 *   copy: (old) => ({ userId: typeof old.userId === 'string' ? old.userId : null, data: { cart: old.cart as string[] } }) })
 * ```
 */
export function createExpressSessionBridge<D extends object>(options: ExpressSessionBridgeOptions<D>): ExpressSessionBridge {
  const { manager, client, copy } = options;
  const secrets = options.secrets;
  if (!Array.isArray(secrets) || secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new SessionConfigError("createExpressSessionBridge: secrets must list express-session's secret(s), e.g. [process.env.OLD_SESSION_SECRET].");
  }
  if (typeof copy !== 'function') throw new SessionConfigError('createExpressSessionBridge: copy must be a function from an old session to { userId, data }.');
  for (const [option, value, max] of [
    ['pointerTtlSeconds', options.pointerTtlSeconds, 3600],
    ['waitMs', options.waitMs, 60_000],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > max)) {
      throw new SessionConfigError(`createExpressSessionBridge: ${option} must be a whole number from 1 to ${max}; got ${String(value)}.`);
    }
  }
  const name = options.cookieName ?? 'connect.sid';
  const prefix = options.prefix ?? 'sess:';
  const claimPrefix = options.claimPrefix ?? 'coatcheck:migrated:';
  const pointerTtlMs = (options.pointerTtlSeconds ?? 60) * 1000;
  const waitMs = options.waitMs ?? 5000;
  const clearOld = clearOldCookie(name, options.cookiePath ?? '/', options.cookieDomain);
  const inflight = new Map<string, Promise<MovedSession | null>>();

  // The winner of the claim: create the one coatcheck session, leave the pointer, retire the old key.
  async function migrateOnce(oldId: string, key: string, request: BridgeRequest): Promise<MovedSession | null> {
    try {
      const old = parseOldSession(await client.get(`${prefix}${oldId}`));
      const persistent = old !== null && wasPersistent(old);
      const plan = old === null ? null : copy(old, { persistent });
      let moved: MovedSession | null = null;
      if (plan !== null) {
        const session = await manager.load({ ...request, cookie: undefined });
        const target = session as unknown as { set(key: string, value: unknown): void };
        for (const [field, value] of Object.entries(plan.data ?? {})) if (value !== undefined) target.set(field, value);
        if (plan.userId != null) await session.login(plan.userId, { remember: plan.remember ?? persistent });
        const setCookie = await session.commit();
        const pair = setCookie[0]?.split(';')[0];
        const eq = pair?.indexOf('=') ?? -1;
        if (pair !== undefined && eq > 0) moved = { name: pair.slice(0, eq), value: pair.slice(eq + 1), setCookie };
      }
      // Pointer first, then the old key: a crash in between leaves a retry, never a lost session.
      await client.set(key, sealPointer(oldId, moved), { expiration: { type: 'PX', value: pointerTtlMs } });
      await client.del(`${prefix}${oldId}`);
      return moved;
    } catch (error) {
      await Promise.resolve(client.del(key)).catch(() => {}); // release the claim: the next request retries
      throw error;
    }
  }

  // Claim across instances, or wait for whoever claimed first.
  async function claimOrWait(oldId: string, request: BridgeRequest): Promise<MovedSession | null> {
    const key = pointerKey(claimPrefix, oldId);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const pointer = await client.get(key);
      if (typeof pointer === 'string' && pointer !== PENDING) return openPointer(oldId, pointer);
      if (pointer == null) {
        const claimed = await client.set(key, PENDING, { condition: 'NX', expiration: { type: 'PX', value: Math.max(waitMs, 1000) } });
        if (claimed != null) return migrateOnce(oldId, key, request);
        continue;
      }
      // Never a second session: a request that cannot see the outcome answers 503 (retry).
      if (Date.now() > deadline) throw new SessionStoreError('redis', `the migration of an old session did not finish within ${waitMs} ms`);
      await sleep(20);
    }
  }

  return {
    async migrate(request) {
      const old = readCookie(request.cookie, name);
      if (old.value === null && !old.duplicate) return null;
      const current = await manager.load(request);
      const oldId = old.value === null ? null : unsignOldCookie(old.value, secrets);
      // Already migrated (a parallel response set the new cookie), or not a cookie we signed.
      if (current.status === 'valid' || oldId === null) return { cookie: request.cookie, setCookie: [clearOld], migrated: false };
      let pending = inflight.get(oldId);
      if (pending === undefined) {
        pending = claimOrWait(oldId, request).finally(() => inflight.delete(oldId));
        inflight.set(oldId, pending);
      }
      let moved: MovedSession | null;
      try {
        moved = await pending;
      } catch (error) {
        // A Redis failure is an outage (503, retry), never a reason to start a second session.
        if (isSessionError(error)) throw error;
        throw new SessionStoreError('redis', `express-session bridge: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (moved === null) return { cookie: request.cookie, setCookie: [clearOld], migrated: false };
      return {
        cookie: replaceCookies(request.cookie, [name, moved.name], `${moved.name}=${moved.value}`),
        setCookie: [...moved.setCookie, clearOld],
        migrated: true,
      };
    },
  };
}
