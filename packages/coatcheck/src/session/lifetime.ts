/**
 * One lifetime model. Idle timeout, absolute lifetime and remember-me are set once; the store
 * expiry and the cookie `Max-Age` are both computed here, from the same numbers, so they
 * cannot drift.
 *
 * @module
 */
import { SessionConfigError } from '../errors.js';

/** Lifetime options, in seconds. */
export interface LifetimeOptions {
  /** A session unused for this long dies. @default 1800 (30 minutes) */
  idleTimeout?: number;
  /** A session dies this long after it was created, whatever the activity. @default 43200 (12 hours) */
  absoluteTimeout?: number;
  /** Idle timeout of a remember-me (persistent cookie) session. @default 1209600 (14 days) */
  rememberIdleTimeout?: number;
  /** Absolute lifetime of a remember-me session. @default 2592000 (30 days) */
  rememberAbsoluteTimeout?: number;
  /**
   * Minimum time between two touches of an unchanged session, so read-only requests
   * normally write nothing. @default one tenth of the idle timeout, at most 60
   */
  touchAfter?: number;
}

/** Resolved lifetimes, in milliseconds. */
export interface Lifetime {
  readonly idleMs: number;
  readonly absoluteMs: number;
  readonly rememberIdleMs: number;
  readonly rememberAbsoluteMs: number;
  readonly touchAfterMs: number;
}

// Browsers cap cookie lifetimes at 400 days (RFC 6265bis); a longer setting would be a lie. (CK-06)
const MAX_SECONDS = 400 * 24 * 3600;

function seconds(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0 || value > MAX_SECONDS) {
    throw new SessionConfigError(`lifetime.${name} must be a whole number of seconds between 1 and ${MAX_SECONDS} (400 days); got ${value}.`);
  }
  return value * 1000;
}

/** Validates lifetime options. Throws `SessionConfigError`. */
export function resolveLifetime(options: LifetimeOptions = {}): Lifetime {
  const idleMs = seconds('idleTimeout', options.idleTimeout ?? 1800);
  const absoluteMs = seconds('absoluteTimeout', options.absoluteTimeout ?? 43200);
  const rememberIdleMs = seconds('rememberIdleTimeout', options.rememberIdleTimeout ?? 14 * 86400);
  const rememberAbsoluteMs = seconds('rememberAbsoluteTimeout', options.rememberAbsoluteTimeout ?? 30 * 86400);
  if (idleMs > absoluteMs) throw new SessionConfigError('lifetime.idleTimeout cannot exceed lifetime.absoluteTimeout.');
  if (rememberIdleMs > rememberAbsoluteMs) {
    throw new SessionConfigError('lifetime.rememberIdleTimeout cannot exceed lifetime.rememberAbsoluteTimeout.');
  }
  const touchAfterMs = options.touchAfter === undefined ? Math.min(idleMs / 10, 60_000) : seconds('touchAfter', options.touchAfter);
  if (touchAfterMs >= idleMs) throw new SessionConfigError('lifetime.touchAfter must be shorter than idleTimeout.');
  return Object.freeze({ idleMs, absoluteMs, rememberIdleMs, rememberAbsoluteMs, touchAfterMs });
}

/** Expiry of a session seen at `now`: never later than its absolute limit. */
export function expiryAt(lifetime: Lifetime, persistent: boolean, now: number, absoluteExpiresAt: number): number {
  return Math.min(now + (persistent ? lifetime.rememberIdleMs : lifetime.idleMs), absoluteExpiresAt);
}

/** Absolute limit of a session created (or authenticated) at `now`. */
export function absoluteAt(lifetime: Lifetime, persistent: boolean, now: number): number {
  return now + (persistent ? lifetime.rememberAbsoluteMs : lifetime.absoluteMs);
}

/** `Max-Age` of the cookie, in whole seconds, or undefined for a browser-session cookie. */
export function cookieMaxAge(persistent: boolean, expiresAt: number, now: number): number | undefined {
  return persistent ? Math.max(0, Math.floor((expiresAt - now) / 1000)) : undefined;
}

/**
 * Whether a record seen at `now` is due for a touch: the throttle that keeps a read from
 * writing on every request (requests and a realtime hub's `manager.touch` share it).
 */
export function isTouchDue(lifetime: Lifetime, lastSeenAt: number, now: number): boolean {
  return now - lastSeenAt >= lifetime.touchAfterMs;
}
