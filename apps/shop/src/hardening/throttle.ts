/**
 * Throttles on everything a client may guess or flood: passwords (`POST /login`, `POST /token`,
 * `POST /reauth`), registrations, refresh-token rotations and new anonymous sessions (the last
 * enforced by the session library, `newSessionLimiter`). A refused attempt is answered
 * 429 `ERR_TOO_MANY_ATTEMPTS` with `Retry-After` before any password is hashed, so it costs
 * one limiter round trip and no scrypt. (AB-03, AB-04, AB-07, AP-07)
 *
 * A refusal is held up to a second before it is answered (`holdMs`): an attacker keeping
 * requests in flight gets one answer per request per second, not as many as the CPU can give.
 *
 * Password attempts pass three limiters, one after the other, and stop at the first refusal:
 *
 * 1. the client address: blocks one client trying many passwords or accounts;
 * 2. the account from that address: delays that grow (5 quick tries, then one per 12 s, ...)
 *    for one client guessing one account;
 * 3. the account from every address: a ceiling that only many addresses together reach.
 *
 * In that order, a refused attempt never uses up a later limiter: a blocked address cannot
 * drain an account's allowance, so it cannot lock the account's owner out. The owner, from an
 * address of their own, only shares the third limiter with an attacker, whose every address
 * is held by the first two. A right password clears the account's limiters, never the
 * address's: one account an attacker owns must not buy fresh tries against the others.
 *
 * State lives in the rate-limit backend of the session store (SQLite, Redis or Postgres), so
 * the limits hold across instances; the clock is the app's.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyRequest } from 'fastify';
import { createRateLimiter, retryAfterSeconds, type RateLimitBackend, type RateLimiter, type RateLimitRule, type RateLimitVerdict } from 'coatcheck/rate-limit';
import { HttpError } from '../http/errors.js';
import type { ClientAddress } from '../http/client-address.js';
import type { ShopThrottles, ThrottleRules } from './throttle-config.js';

/** What {@link createThrottle} needs. */
export interface ThrottleOptions {
  readonly backend: RateLimitBackend;
  readonly throttles: ShopThrottles;
  readonly clientAddress: ClientAddress;
  /** The app's clock, epoch ms. */
  readonly now: () => number;
  /**
   * How long a refusal is held before it is answered (at most until the next attempt could
   * pass): a client with many requests in flight then gets at most that many answers a
   * second, so its flood costs this server (and the CPU real logins hash with) next to
   * nothing. 0 answers at once. @default 1000
   */
  readonly holdMs?: number;
}

/** The checks the routes call. Each resolves with the 429 to answer, or `null` to go on. */
export interface Throttle {
  /** Before a password is checked: login, token login, step-up. `username` as typed. */
  password(request: FastifyRequest, username: string): Promise<HttpError | null>;
  /** After the right password: forgets the account's delays (both account limiters). */
  passwordAccepted(request: FastifyRequest, username: string): Promise<void>;
  /** Before a registration is hashed. */
  register(request: FastifyRequest): Promise<HttpError | null>;
  /** Before a refresh token is looked at. */
  refresh(request: FastifyRequest): Promise<HttpError | null>;
  /**
   * The session manager's `newSessionLimiter`: anonymous sessions per client address, counted
   * by the session library itself (429 `ERR_SESSION_RATE_LIMITED`). `null` when off. (AB-02)
   */
  readonly newSessions: RateLimiter<'address'> | null;
  /** Stops the prune timer (the backend belongs to the store). */
  close(): void;
}

/** One limiter of one key: its hit and reset, or `null` when its throttle is off. */
type Gate = { hit(key: string): Promise<RateLimitVerdict>; reset(key: string): Promise<void> } | null;

/** Refusals held at once; past this many, refusals are answered at once (memory stays bounded). */
const MAX_HELD = 1000;

/** Refusals remembered per gate; past this many keys the oldest is forgotten (and asked again). */
const MAX_REMEMBERED = 10_000;

/**
 * Remembers a gate's refusals in this process until they end, so a client hammering a closed
 * gate is answered without a backend round trip: a flood's cheap answers stay cheap, and the
 * CPU goes to real logins. Sound only for keys nobody resets (addresses): a refusal's end can
 * then only move later, never earlier, whatever other instances do.
 */
function rememberRefusals(gate: Gate, now: () => number): Gate {
  if (gate === null) return null;
  const until = new Map<string, number>();
  return {
    async hit(key) {
      const at = now();
      const end = until.get(key);
      if (end !== undefined && end > at) return Object.freeze({ allowed: false, retryAfterMs: end - at, remaining: 0, resetMs: end - at, limitedBy: [] });
      const verdict = await gate.hit(key);
      if (verdict.allowed) until.delete(key);
      else {
        if (until.size >= MAX_REMEMBERED) until.delete(until.keys().next().value as string);
        until.set(key, at + verdict.retryAfterMs);
      }
      return verdict;
    },
    reset: gate.reset,
  };
}

/** The answer to a refused attempt; `Retry-After` is exactly when the next one can pass. */
function tooManyAttempts(verdict: RateLimitVerdict): HttpError {
  const seconds = Math.max(1, retryAfterSeconds(verdict));
  return new HttpError(429, 'ERR_TOO_MANY_ATTEMPTS', `Too many attempts; try again in ${seconds} s.`, { 'retry-after': String(seconds) });
}

/**
 * The account an attempt counts against: the username as the users table compares it
 * (case-insensitively), so `Alice` and `alice` share their limits. Unknown names count too,
 * and answer the same: the throttle tells nobody which accounts exist (AB-05).
 */
function accountOf(username: string): string {
  return username.normalize('NFC').toLowerCase();
}

/** Creates the shop's throttles on `backend`. */
export function createThrottle({ backend, throttles, clientAddress, now, holdMs = 1000 }: ThrottleOptions): Throttle {
  if (!Number.isInteger(holdMs) || holdMs < 0 || holdMs > 60_000) throw new RangeError(`holdMs must be a whole number of ms from 0 to 60000; got ${holdMs}.`);
  let held = 0;
  const timers: { close(): void }[] = [];
  const limiter = <D extends string>(name: string, rules: Record<D, readonly RateLimitRule[]>): RateLimiter<D> => {
    // Every limiter shares the backend, whose prune deletes all passed keys: one timer is enough.
    const made = createRateLimiter({ backend, name, rules, now, pruneIntervalMs: timers.length === 0 ? 60_000 : 0 });
    timers.push(made);
    return made;
  };
  const gate = (name: string, rules: ThrottleRules): Gate => {
    if (rules === null) return null;
    const made = limiter(name, { key: rules });
    return { hit: (key) => made.hit({ key }), reset: (key) => made.reset({ key }) };
  };
  // Address gates are never reset, so their refusals can be remembered locally.
  const loginAddress = rememberRefusals(gate('login-address', throttles.loginAddress), now);
  const loginAccountAddress = gate('login-account-address', throttles.loginAccountAddress);
  const loginAccount = gate('login-account', throttles.loginAccount);
  const register = rememberRefusals(gate('register-address', throttles.registerAddress), now);
  const refresh = rememberRefusals(gate('refresh-address', throttles.refreshAddress), now);
  const newSessions = throttles.newSessions === null ? null : limiter('new-session', { address: throttles.newSessions });

  /** Hits each gate in turn; the first refusal ends it, so later gates are not used up. */
  async function pass(steps: readonly (readonly [Gate, string])[]): Promise<HttpError | null> {
    for (const [step, key] of steps) {
      if (step === null) continue;
      const verdict = await step.hit(key);
      if (!verdict.allowed) {
        const hold = Math.min(holdMs, verdict.retryAfterMs);
        if (hold > 0 && held < MAX_HELD) {
          held++;
          await sleep(hold).finally(() => held--);
        }
        return tooManyAttempts(verdict);
      }
    }
    return null;
  }

  return {
    password(request, username) {
      const address = clientAddress.keyOf(request);
      const account = accountOf(username);
      return pass([
        [loginAddress, address],
        // A newline cannot be in an address key, so no two pairs share a key.
        [loginAccountAddress, `${account}\n${address}`],
        [loginAccount, account],
      ]);
    },
    async passwordAccepted(request, username) {
      const account = accountOf(username);
      await Promise.all([loginAccountAddress?.reset(`${account}\n${clientAddress.keyOf(request)}`), loginAccount?.reset(account)]);
    },
    register: (request) => pass([[register, clientAddress.keyOf(request)]]),
    refresh: (request) => pass([[refresh, clientAddress.keyOf(request)]]),
    newSessions,
    close() {
      for (const limiter of timers) limiter.close();
    },
  };
}
