/**
 * The shop's throttles as settings: their defaults, and how one is read from the environment
 * (`THROTTLE_LOGIN_ACCOUNT=5/1m,20/1h`, checked by `readThrottles`). `config.ts` calls it,
 * `throttle.ts` applies them.
 *
 * A setting is a list of tiers, `limit/window`, each checked on every attempt: `5/1m,20/1h`
 * lets 5 attempts through at once and then one every 12 s, and past 20 in an hour one every
 * 3 minutes. `off` turns a throttle off.
 *
 * @module
 */
import { createRateLimiter, memoryRateLimit, type RateLimitRule } from 'coatcheck/rate-limit';
import { parseDuration } from '../lifetimes.js';
import { ConfigError } from '../config-error.js';

/** Tiers of one throttle, or `null` when it is off. */
export type ThrottleRules = readonly RateLimitRule[] | null;

/** Every throttle of the shop. */
export interface ShopThrottles {
  /** `THROTTLE_LOGIN_ADDRESS`: password attempts (login, step-up, token login) from one client address. */
  readonly loginAddress: ThrottleRules;
  /** `THROTTLE_LOGIN_ACCOUNT_ADDRESS`: attempts on one account from one client address (the delays that grow). */
  readonly loginAccountAddress: ThrottleRules;
  /** `THROTTLE_LOGIN_ACCOUNT`: attempts on one account from every address together. */
  readonly loginAccount: ThrottleRules;
  /** `THROTTLE_REGISTER_ADDRESS`: registrations from one client address. */
  readonly registerAddress: ThrottleRules;
  /** `THROTTLE_REFRESH_ADDRESS`: refresh-token rotations (`POST /token/refresh`) from one client address. */
  readonly refreshAddress: ThrottleRules;
  /** `THROTTLE_NEW_SESSIONS`: anonymous sessions one client address creates (the session library's `newSessionLimiter`). */
  readonly newSessions: ThrottleRules;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const tiers = (...list: [limit: number, windowMs: number][]): readonly RateLimitRule[] =>
  Object.freeze(list.map(([limit, windowMs]) => Object.freeze({ limit, windowMs })));

/**
 * The defaults. An address may try passwords quickly enough for a few people behind one NAT,
 * but not for a script. One account from one address slows down fast (the delays a password
 * guesser feels), while the account's ceiling over every address is high enough that only
 * many addresses together can reach it (see docs/rate-limit.md, "The shop").
 */
export const DEFAULT_THROTTLES: ShopThrottles = Object.freeze({
  // One per 2 s, as 30 a minute would be, but only 5 at once: a burst from one address must
  // fit in the hashing gate's queue (16), or a flood's first second delays real logins.
  loginAddress: tiers([5, 10_000], [200, HOUR]),
  loginAccountAddress: tiers([5, MINUTE], [20, HOUR]),
  loginAccount: tiers([50, HOUR], [200, DAY]),
  registerAddress: tiers([10, MINUTE], [50, DAY]),
  refreshAddress: tiers([60, MINUTE]),
  newSessions: tiers([30, MINUTE], [300, HOUR]),
});

/** Each variable and its field. */
export const THROTTLE_VARIABLES = Object.freeze([
  { name: 'THROTTLE_LOGIN_ADDRESS', key: 'loginAddress' },
  { name: 'THROTTLE_LOGIN_ACCOUNT_ADDRESS', key: 'loginAccountAddress' },
  { name: 'THROTTLE_LOGIN_ACCOUNT', key: 'loginAccount' },
  { name: 'THROTTLE_REGISTER_ADDRESS', key: 'registerAddress' },
  { name: 'THROTTLE_REFRESH_ADDRESS', key: 'refreshAddress' },
  { name: 'THROTTLE_NEW_SESSIONS', key: 'newSessions' },
] as const satisfies ReadonlyArray<{ name: string; key: keyof ShopThrottles }>);

const TIER = /^([0-9]{1,7})\s*\/\s*([0-9]{1,9}\s*[smhd]?)$/i;

/**
 * Tiers in `text` (`5/1m,20/1h`), `null` for `off`; throws `RangeError` with what is wrong.
 * What a rule may be is the rate limiter's own check, run here once at start-up.
 */
function parseThrottle(text: string): ThrottleRules {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'off') return null;
  const rules = trimmed.split(',').map((part) => {
    const match = TIER.exec(part.trim());
    const seconds = match ? parseDuration(match[2] as string) : null;
    if (!match || seconds === null) throw new RangeError(`${JSON.stringify(part.trim())} is not limit/window (5/1m)`);
    return Object.freeze({ limit: Number(match[1]), windowMs: seconds * 1000 });
  });
  if (rules.length > 8) throw new RangeError(`${rules.length} tiers; at most 8`);
  try {
    createRateLimiter({ backend: memoryRateLimit(), name: 'check', rules: { tier: rules }, pruneIntervalMs: 0 });
  } catch (error) {
    // The library names its own option (`rules.tier[1].windowMs`): say "windowMs of tier 2".
    const message = (error as Error).message
      .replace(/^createRateLimiter: /, '')
      .replace(/`rules\.tier\[(\d+)\](?:\.(\w+))?`/g, (_, index: string, field?: string) => `${field ? `${field} of ` : ''}tier ${Number(index) + 1}`)
      .replace(/\.$/, '');
    throw new RangeError(message);
  }
  return Object.freeze(rules);
}

/** `rules` as the variable would spell them, for messages and the log: `5/1m,20/1h` or `off`. */
export function describeThrottle(rules: ThrottleRules): string {
  if (rules === null) return 'off';
  const unit = (ms: number) => (ms % DAY === 0 ? `${ms / DAY}d` : ms % HOUR === 0 ? `${ms / HOUR}h` : ms % MINUTE === 0 ? `${ms / MINUTE}m` : `${ms / 1000}s`);
  return rules.map(({ limit, windowMs }) => `${limit}/${unit(windowMs)}`).join(',');
}

/** Reads every throttle variable; an unset or empty one keeps its default. */
export function readThrottles(env: NodeJS.ProcessEnv): ShopThrottles {
  const values: Record<string, ShopThrottles[keyof ShopThrottles]> = { ...DEFAULT_THROTTLES };
  for (const { name, key } of THROTTLE_VARIABLES) {
    const text = env[name]?.trim() ?? '';
    if (text === '') continue;
    try {
      values[key] = parseThrottle(text);
    } catch (error) {
      throw new ConfigError(
        `${name} must be tiers limit/window, comma-separated (5/1m,20/1h: 5 at once, then one per 12 s, past 20 in an hour one per 3 min), or off; ${(error as Error).message}. Unset it for the default, ${describeThrottle(DEFAULT_THROTTLES[key])}.`,
      );
    }
  }
  return Object.freeze(values as unknown as ShopThrottles);
}
