/**
 * How long sessions and tokens live: the shop's defaults, and how one duration is read from
 * the environment (`SESSION_IDLE_TIMEOUT=30m`, checked by `readLifetimes`). `config.ts` calls
 * it, `app.ts` applies them.
 *
 * @module
 */
import { ConfigError } from './config-error.js';

/** Every lifetime of the shop, in seconds. */
export interface ShopLifetimes {
  /** `SESSION_IDLE_TIMEOUT`: a session unused this long ends. */
  readonly idleTimeout: number;
  /** `SESSION_ABSOLUTE_TIMEOUT`: a session ends this long after the login, whatever the activity. */
  readonly absoluteTimeout: number;
  /** `REMEMBER_ME_LIFETIME`: how long a "remember me" login lasts (idle and absolute). */
  readonly rememberMe: number;
  /** `ACCESS_TOKEN_TTL`: lifetime of a bearer access token (at most 3600, the token library's cap). */
  readonly accessTokenTtl: number;
  /** `REFRESH_TOKEN_LIFETIME`: longest life of a refresh-token family. */
  readonly refreshLifetime: number;
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

/**
 * The defaults, from the tutorials the shop answers: 30 minutes idle (the FastAPI session
 * middleware's `max_age=1800`), remember-me for one day (Flask's
 * `PERMANENT_SESSION_LIFETIME = timedelta(days=1)`). Access tokens live 30 minutes, as the
 * FastAPI and Flask token tutorials' do. A login ends after 12 hours however active it is.
 */
export const DEFAULT_LIFETIMES: ShopLifetimes = Object.freeze({
  idleTimeout: 30 * MINUTE,
  absoluteTimeout: 12 * HOUR,
  rememberMe: DAY,
  accessTokenTtl: 30 * MINUTE,
  refreshLifetime: 30 * DAY,
});

/** Each variable, its field, and the range the libraries accept (seconds). */
const LIFETIME_VARIABLES = Object.freeze([
  { name: 'SESSION_IDLE_TIMEOUT', key: 'idleTimeout', min: MINUTE, max: 400 * DAY },
  { name: 'SESSION_ABSOLUTE_TIMEOUT', key: 'absoluteTimeout', min: MINUTE, max: 400 * DAY },
  { name: 'REMEMBER_ME_LIFETIME', key: 'rememberMe', min: MINUTE, max: 400 * DAY },
  { name: 'ACCESS_TOKEN_TTL', key: 'accessTokenTtl', min: 10, max: HOUR },
  { name: 'REFRESH_TOKEN_LIFETIME', key: 'refreshLifetime', min: MINUTE, max: 400 * DAY },
] as const satisfies ReadonlyArray<{ name: string; key: keyof ShopLifetimes; min: number; max: number }>);

const UNITS: Readonly<Record<string, number>> = { s: 1, m: MINUTE, h: HOUR, d: DAY };

/** Seconds in `text` (`90`, `90s`, `30m`, `12h`, `1d`), or `null` when it is not such a duration. */
export function parseDuration(text: string): number | null {
  const match = /^([0-9]{1,9})\s*([smhd]?)$/i.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * (UNITS[(match[2] || 's').toLowerCase()] as number);
}

/** A duration in words, for messages: `1800` → `"1800 s (30m)"`. */
function describeDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
  ] as const) {
    if (seconds % size === 0) return `${seconds} s (${seconds / size}${unit})`;
  }
  return `${seconds} s`;
}

/** Reads every lifetime variable; an unset or empty one keeps its default. */
export function readLifetimes(env: NodeJS.ProcessEnv): ShopLifetimes {
  const values: Record<string, number> = { ...DEFAULT_LIFETIMES };
  for (const { name, key, min, max } of LIFETIME_VARIABLES) {
    const text = env[name]?.trim() ?? '';
    if (text === '') continue;
    const seconds = parseDuration(text);
    if (seconds === null) {
      throw new ConfigError(`${name} must be a duration: seconds (1800) or a number with s, m, h or d (30m, 12h, 1d); got ${JSON.stringify(text)}.`);
    }
    if (seconds < min || seconds > max) {
      throw new ConfigError(
        `${name} must be from ${describeDuration(min)} to ${describeDuration(max)}; got ${describeDuration(seconds)}. Unset it for the default, ${describeDuration(DEFAULT_LIFETIMES[key])}.`,
      );
    }
    values[key] = seconds;
  }
  const lifetimes = values as unknown as ShopLifetimes;
  // The session library refuses an idle timeout longer than the absolute one; say which to change.
  if (lifetimes.idleTimeout > lifetimes.absoluteTimeout) {
    throw new ConfigError(
      `SESSION_IDLE_TIMEOUT (${describeDuration(lifetimes.idleTimeout)}) cannot exceed SESSION_ABSOLUTE_TIMEOUT (${describeDuration(lifetimes.absoluteTimeout)}); shorten the first or lengthen the second.`,
    );
  }
  return Object.freeze(lifetimes);
}
