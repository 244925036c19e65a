/**
 * What a client may see of a refusal or a failure: one rule for every adapter.
 *
 * - a store outage: 503, the fixed store-down message (driver details belong in logs);
 * - any other status of 500 or more: a generic message;
 * - a 4xx: the error's own message, written for clients; a step-up refusal adds what the
 *   client needs to answer it (`stepUp: { methods, within, challenge }`: no secret, the
 *   challenge is only an id the session holds);
 * - always `Cache-Control: no-store`, `Retry-After` on 503 (1 s) and 429 (the limiter's), and
 *   never a `Set-Cookie` (a store outage is not a logout, a refused request changes nothing).
 *
 * @module
 */
import { SessionRateLimitedError, SessionStepUpRequiredError, type AnySessionError } from '../errors.js';
import type { BearerFailure } from '../bearer.js';

/** A response the adapter sends as it is: status, lower-case headers, body (JSON or empty). */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Body of an error response: `{ error: { code, message } }`, `stepUp` on a step-up refusal. */
export interface ErrorBody {
  error: { code: string; message: string; stepUp?: StepUpChallenge };
}

/** What a client needs to answer `ERR_SESSION_STEP_UP_REQUIRED`. */
export interface StepUpChallenge {
  /** Acceptable methods (RFC 8176 names or the application's), `null` for any. */
  readonly methods: readonly string[] | null;
  /** How recent (ms) the factor must be. */
  readonly within: number;
  /** The id to send back with the factor, for `session.stepUp(method, { challenge })`. */
  readonly challenge: string;
}

/** What a client reads when the session store is down. */
export const STORE_DOWN_MESSAGE = 'The session store is unavailable; try again shortly.';
/** What a client reads for any other server-side failure. */
export const SERVER_ERROR_MESSAGE = 'Something went wrong on our side.';

/** The message a client may see for `error`. */
export function publicMessage(error: { readonly code: string; readonly message: string; readonly statusCode: number }): string {
  if (error.code === 'ERR_SESSION_STORE_UNAVAILABLE') return STORE_DOWN_MESSAGE;
  return error.statusCode >= 500 ? SERVER_ERROR_MESSAGE : error.message;
}

/** Formats an error body: `{ error: { code, message } }`, no internals, no stack. */
export function toErrorBody(code: string, message: string, stepUp?: StepUpChallenge): ErrorBody {
  return { error: stepUp === undefined ? { code, message } : { code, message, stepUp } };
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** A JSON error answer with `extra` headers (CORS, WWW-Authenticate) merged in. */
export function errorAnswer(status: number, code: string, message: string, extra?: Readonly<Record<string, string>>, stepUp?: StepUpChallenge): HttpAnswer {
  const headers: Record<string, string> = { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...extra };
  if (status === 503) headers['retry-after'] = '1';
  return { status, headers, body: JSON.stringify(toErrorBody(code, message, stepUp)) };
}

/** The answer for a session error (status from the core's one table). */
export function answerSessionError(error: AnySessionError, extra?: Readonly<Record<string, string>>): HttpAnswer {
  // A 429 says when to come back: the limiter knows exactly.
  const headers = error instanceof SessionRateLimitedError ? { ...extra, 'retry-after': String(error.retryAfterSeconds) } : extra;
  const stepUp = error instanceof SessionStepUpRequiredError ? { methods: error.methods, within: error.within, challenge: error.challenge } : undefined;
  return errorAnswer(error.statusCode, error.code, publicMessage(error), headers, stepUp);
}

/** The answer for a refused bearer credential (RFC 6750 §3): 401 or 400 with `WWW-Authenticate`. */
export function answerBearerFailure(failure: BearerFailure, extra?: Readonly<Record<string, string>>): HttpAnswer {
  // A quoted-string may not hold `"` or `\` unescaped; the descriptions are ours, so dropping them is enough.
  const description = failure.message.replace(/["\\]/g, '');
  return errorAnswer(failure.status, failure.code, failure.message, {
    ...extra,
    'www-authenticate': `Bearer error="${failure.error}", error_description="${description}"`,
  });
}
