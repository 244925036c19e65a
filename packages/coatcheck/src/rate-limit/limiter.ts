/**
 * The rate limiter: named rules per dimension (an account, a client address), checked with
 * GCRA on a shared backend. Exported from `coatcheck/rate-limit`.
 *
 * A refusal is a value (`allowed: false` with `retryAfterMs`), never an exception; only a
 * failing backend throws (`SessionStoreError`, which adapters answer with 503).
 *
 * @module
 */
import { SessionConfigError } from '../errors.js';
import type { GcraOutcome, RateLimitBackend } from './gcra.js';
import { assertBackend, assertName, backendKey, resolveRules, type RateLimitRule, type ResolvedRule } from './rules.js';
import { WARNINGS } from '../warnings.js';

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions<D extends string> {
  /** Where the state lives, shared by every instance of the app: see the backends. */
  backend: RateLimitBackend;
  /**
   * What is limited, the namespace of the keys: `'login'`, `'signup'`. Limiters sharing a
   * backend need different names. 1-64 letters, digits, `_ . -`.
   */
  name: string;
  /**
   * One rule, or a list of rules (tiers), per dimension. Every tier is checked on every hit:
   * `[{ limit: 5, windowMs: 60_000 }, { limit: 20, windowMs: 3_600_000 }]` allows 5 quick
   * tries, then one per 12 s, and past 20 in an hour one per 3 min: delays that grow.
   */
  rules: Record<D, RateLimitRule | readonly RateLimitRule[]>;
  /** Clock in epoch milliseconds; inject one in tests. @default Date.now */
  now?: () => number;
  /**
   * How often the limiter asks the backend to delete keys whose time has passed, in ms.
   * `0` disables the timer (call `prune`). The timer is unref'd.
   * @default 60_000
   */
  pruneIntervalMs?: number;
}

/** The answer to one hit. */
export interface RateLimitVerdict<D extends string = string> {
  /** Whether the hit is let through. A refused hit consumed nothing on the rule that refused it. */
  readonly allowed: boolean;
  /**
   * Milliseconds until the next hit with the same keys can pass (0 while `remaining > 0`).
   * Send it as `Retry-After` with {@link retryAfterSeconds}.
   */
  readonly retryAfterMs: number;
  /** Hits that would still pass right now, over every rule (0 when refused). */
  readonly remaining: number;
  /** Milliseconds until every rule is back to a full burst if nothing else arrives. */
  readonly resetMs: number;
  /** The dimensions whose rules refused this hit (empty when allowed). */
  readonly limitedBy: readonly D[];
}

/** See {@link createRateLimiter}. */
export interface RateLimiter<D extends string = string> {
  /** The dimensions of `rules`, in their order: what {@link RateLimiter.hit} expects a value for. */
  readonly dimensions: readonly D[];
  /**
   * Counts one hit against every rule and answers whether it may pass. Give a value for
   * every dimension; a missing one (`undefined`) counts against one shared bucket.
   */
  hit(keys: Record<D, string>): Promise<RateLimitVerdict<D>>;
  /** Forgets the given dimensions' keys (every tier), e.g. the account after a good login. */
  reset(keys: Partial<Record<D, string>>): Promise<void>;
  /** Asks the backend to delete keys whose time has passed; resolves with how many. */
  prune(): Promise<number>;
  /** Stops the prune timer. The backend stays open: close it yourself. */
  close(): void;
}

/** Warning code emitted when the prune timer fails. */
export const RATE_LIMIT_PRUNE_WARNING = WARNINGS.RATE_LIMIT_PRUNE_FAILED.code;

/**
 * Whole seconds for a `Retry-After` header: `retryAfterMs` rounded up, so a client that
 * waits that long is let through.
 *
 * @example
 * ```ts
 * if (!verdict.allowed) reply.code(429).header('retry-after', retryAfterSeconds(verdict))
 * ```
 */
export function retryAfterSeconds(verdict: Pick<RateLimitVerdict, 'retryAfterMs'>): number {
  return Math.ceil(verdict.retryAfterMs / 1000);
}

interface Tier {
  readonly dimension: string;
  readonly index: number;
  readonly rule: ResolvedRule;
}

/**
 * Creates a rate limiter. Options are checked here: a wrong one throws `SessionConfigError`
 * saying how to fix it.
 *
 * GCRA (the Generic Cell Rate Algorithm) stores one time per key, so a hit is one atomic
 * round trip on every backend, limits hold across instances, and a refused client gets an
 * exact `Retry-After` instead of a fixed window's cliff.
 *
 * @example
 * ```ts
 * import { createRateLimiter, memoryRateLimit } from 'coatcheck/rate-limit'
 *
 * const logins = createRateLimiter({
 *   backend: memoryRateLimit(),
 *   name: 'login',
 *   rules: {
 *     address: { limit: 20, windowMs: 60_000 },
 *     account: [{ limit: 5, windowMs: 60_000 }, { limit: 20, windowMs: 3_600_000 }],
 *   },
 * })
 * const verdict = await logins.hit({ address: '203.0.113.7', account: 'ada@example.com' })
 * ```
 */
export function createRateLimiter<D extends string>(options: RateLimiterOptions<D>): RateLimiter<D> {
  if (options === null || typeof options !== 'object') {
    throw new SessionConfigError(
      "createRateLimiter: pass { backend, name, rules }, e.g. createRateLimiter({ backend: memoryRateLimit(), name: 'login', rules: { address: { limit: 20, windowMs: 60_000 } } }).",
    );
  }
  const { backend, name, now = Date.now, pruneIntervalMs = 60_000 } = options;
  assertBackend(backend);
  assertName(name);
  const rules = resolveRules(options.rules);
  if (typeof now !== 'function') throw new SessionConfigError('createRateLimiter: `now` must be a function returning epoch milliseconds.');
  if (!Number.isSafeInteger(pruneIntervalMs) || pruneIntervalMs < 0 || pruneIntervalMs > 2 ** 31 - 1) {
    throw new SessionConfigError('createRateLimiter: `pruneIntervalMs` must be a whole number of ms up to 2^31 - 1, or 0 to prune only when you call prune().');
  }
  const tiers: Tier[] = [...rules].flatMap(([dimension, list]) => list.map((rule, index) => ({ dimension, index, rule })));
  // Whole milliseconds: every backend then computes with exact integers.
  const clock = (): number => Math.floor(now());

  const prune = (): Promise<number> => backend.prune(clock());
  const timer =
    pruneIntervalMs > 0
      ? setInterval(() => {
          prune().catch((error: unknown) => {
            const reason = error instanceof Error ? error.message : String(error);
            process.emitWarning(`rate limiter '${name}' could not prune its ${backend.name} backend: ${reason}`, { code: RATE_LIMIT_PRUNE_WARNING });
          });
        }, pruneIntervalMs)
      : undefined;
  timer?.unref();

  return {
    dimensions: Object.freeze([...rules.keys()] as D[]),
    async hit(keys) {
      const at = clock();
      const outcomes: GcraOutcome[] = await Promise.all(
        tiers.map(({ dimension, index, rule }) =>
          backend.consume(backendKey(name, dimension, index, (keys as Record<string, unknown>)[dimension]), {
            now: at,
            incrementMs: rule.intervalMs,
            capacityMs: rule.capacityMs,
          }),
        ),
      );
      let retryAfterMs = 0;
      let remaining = Number.POSITIVE_INFINITY;
      let resetMs = 0;
      const limitedBy = new Set<D>();
      outcomes.forEach(({ allowed, tat }, i) => {
        const { dimension, rule } = tiers[i] as Tier;
        const ahead = tat - at;
        // The next hit passes this rule once its TAT is within capacity again.
        retryAfterMs = Math.max(retryAfterMs, ahead + rule.intervalMs - rule.capacityMs);
        remaining = Math.min(remaining, allowed ? Math.floor((rule.capacityMs - ahead) / rule.intervalMs) : 0);
        resetMs = Math.max(resetMs, ahead);
        if (!allowed) limitedBy.add(dimension as D);
      });
      return Object.freeze({ allowed: limitedBy.size === 0, retryAfterMs, remaining, resetMs, limitedBy: Object.freeze([...limitedBy]) });
    },
    async reset(keys) {
      const chosen = tiers.filter(({ dimension }) => Object.hasOwn(keys, dimension));
      await Promise.all(chosen.map(({ dimension, index }) => backend.reset(backendKey(name, dimension, index, (keys as Record<string, unknown>)[dimension]))));
    },
    prune,
    close() {
      if (timer) clearInterval(timer);
    },
  };
}
