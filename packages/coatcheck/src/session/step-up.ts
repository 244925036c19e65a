/**
 * Step-up ("sudo mode"): which factors a session's user proved and when, and whether that is
 * recent enough for a sensitive action. The rule lives here once; the handle
 * (`session.stepUp`, `session.requireFresh`) and the bearer tokens' `amr`/`auth_time` read it.
 *
 * - A login records its method (default `pwd`), a step-up adds one; each method keeps its
 *   latest time. Method names follow RFC 8176 where one fits (`pwd`, `otp`, `hwk`, `swk`,
 *   `sms`, `face`, `fpt`, `mfa`...); an application may use its own short names.
 * - A refused `requireFresh` leaves one pending challenge in the session; `stepUp(method,
 *   { challenge })` consumes it, so a step-up answered to an old challenge is refused.
 * - With `sliding`, each fresh check extends the window from that moment, never past
 *   `maxAge` after the factor itself.
 *
 * @module
 */
import type { AuthFactor, AuthState } from '../store/types.js';

/** Options of `session.requireFresh`. */
export interface FreshOptions {
  /** How recent (ms) the factor must be. */
  readonly within: number;
  /** Acceptable methods; any recorded method when left out. */
  readonly methods?: readonly string[];
  /**
   * Sudo mode that stays while used: a fresh check extends the window by `within` from now,
   * never beyond `maxAge` after the factor. @default false
   */
  readonly sliding?: boolean;
  /** With `sliding`, the longest a factor stays fresh (ms). @default 4 × within */
  readonly maxAge?: number;
}

/** Options of `session.stepUp`. */
export interface StepUpOptions {
  /** The challenge id of the `ERR_SESSION_STEP_UP_REQUIRED` answer this step-up answers. */
  readonly challenge?: string;
}

/** How long a pending challenge can be answered (ms). */
const CHALLENGE_TTL_MS = 5 * 60_000;
/** The most methods a session keeps (the oldest go first). */
const MAX_FACTORS = 8;
const METHOD = /^[A-Za-z0-9_.:-]{1,32}$/;
const NO_FACTORS: readonly AuthFactor[] = Object.freeze([]);

/** Throws a TypeError unless `method` is a short token (RFC 8176 or the application's own). */
export function assertMethod(method: unknown): asserts method is string {
  if (typeof method !== 'string' || !METHOD.test(method)) {
    throw new TypeError('the authentication method must be 1 to 32 letters, digits or _ . : - (e.g. "pwd", "otp", "hwk")');
  }
}

/** Checks `within`, `methods` and `maxAge` of `requireFresh` (a programming error throws). */
export function assertFreshOptions(options: FreshOptions): void {
  const { within, maxAge, methods } = options;
  if (!(Number.isFinite(within) && within > 0)) throw new TypeError('requireFresh({ within }): within must be a positive number of ms');
  if (maxAge !== undefined && !(Number.isFinite(maxAge) && maxAge >= within)) throw new TypeError('requireFresh({ maxAge }): maxAge must be at least within');
  if (methods !== undefined) for (const method of methods) assertMethod(method);
}

/** The factors of `auth` (none for records written before factors were recorded). */
export function factorsOf(auth: AuthState | undefined): readonly AuthFactor[] {
  return auth?.amr ?? NO_FACTORS;
}

/** Whether `auth` is fresh at `now` for `options`. */
export function isFresh(auth: AuthState | undefined, now: number, options: FreshOptions): boolean {
  const { within, methods, sliding = false } = options;
  const maxAge = options.maxAge ?? within * 4;
  const activeAt = auth?.activeAt;
  return factorsOf(auth).some((factor) => {
    if (methods !== undefined && !methods.includes(factor.method)) return false;
    const age = now - factor.at;
    if (age < 0) return false;
    if (age <= within) return true;
    return sliding && activeAt !== undefined && age <= maxAge && activeAt >= factor.at && now - activeAt <= within;
  });
}

/** `auth` with `method` proved at `now`: the pending challenge and the sliding mark dropped. */
export function addFactor(auth: AuthState | undefined, method: string, now: number): AuthState {
  const others = factorsOf(auth).filter((factor) => factor.method !== method);
  return { amr: [...others, { method, at: now }].slice(-MAX_FACTORS) };
}

/** `auth` marked used at `now` (sliding sudo mode). */
export function markActive(auth: AuthState, now: number): AuthState {
  return { ...auth, activeAt: now };
}

/**
 * The pending challenge for a refusal of `methods`: the one already pending when it is for
 * the same methods and still answerable (two tabs get the same one, and no write), else a new
 * one. `written` tells whether the state must be saved.
 */
export function pendChallenge(
  auth: AuthState | undefined,
  methods: readonly string[] | null,
  now: number,
  draw: () => string,
): { auth: AuthState; id: string; written: boolean } {
  const pending = auth?.challenge;
  if (pending !== undefined && now - pending.at < CHALLENGE_TTL_MS && sameMethods(pending.methods, methods)) {
    return { auth: auth as AuthState, id: pending.id, written: false };
  }
  const id = draw();
  return {
    auth: { amr: factorsOf(auth), ...(auth?.activeAt === undefined ? {} : { activeAt: auth.activeAt }), challenge: { id, at: now, methods } },
    id,
    written: true,
  };
}

/** Whether `challenge` answers the pending challenge of `auth` with `method` at `now`. */
export function answersChallenge(auth: AuthState | undefined, challenge: string, method: string, now: number): boolean {
  const pending = auth?.challenge;
  if (pending === undefined || pending.id !== challenge) return false;
  return now - pending.at < CHALLENGE_TTL_MS && (pending.methods === null || pending.methods.includes(method));
}

function sameMethods(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((method) => b.includes(method));
}
