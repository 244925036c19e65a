/**
 * coatcheck sessions for any Fetch-API runtime: a `Request` in, a `Response` out. Exported
 * from `@coatcheck/hono/fetch` (no Hono import) for Next.js route handlers, Bun, Deno, or your
 * own server. The core's Fetch driver (`coatcheck/adapter`) does the work; this file keeps one
 * compiled policy per options object.
 *
 * @module
 */
import type { AnySessionError, Session, SessionManager } from 'coatcheck';
import { answerResponse, answerSessionError, beginFetch, createHttpPolicy, runFetch } from 'coatcheck/adapter';
import type { FetchContext, HttpPolicy, HttpPolicyOptions, HttpTransaction } from 'coatcheck/adapter';

export { answerResponse, beginFetch as beginWith, endFetch as endSession } from 'coatcheck/adapter';
export type { ErrorBody, FetchContext } from 'coatcheck/adapter';

/** Options of the Fetch-API helpers: `bearer`, `cors`, `trustProxy` (see the Hono guide). */
export type FetchSessionOptions = Omit<HttpPolicyOptions<any>, 'manager' | 'logger'>;

// One policy per options object (or per manager without options): compiled once, not per request.
const policies = new WeakMap<object, HttpPolicy<any>>();

function policyFor<D extends object>(manager: SessionManager<D>, options: FetchSessionOptions | undefined): HttpPolicy<D> {
  const key = options ?? manager;
  let policy = policies.get(key);
  if (policy === undefined) {
    policy = createHttpPolicy({ ...options, manager });
    policies.set(key, policy);
  }
  return policy;
}

/** The JSON response for a session error: status from the core's table, no internals. */
export function errorResponse(error: AnySessionError): Response {
  return answerResponse(answerSessionError(error));
}

/** Loads the session of `request` and runs the checks: the transaction, or the `Response` to send at once (a refusal, a preflight, a store outage). */
export function beginSession<D extends object>(
  manager: SessionManager<D>,
  request: Request,
  options?: FetchSessionOptions,
  context?: FetchContext,
): Promise<HttpTransaction<D> | Response> {
  return beginFetch(policyFor(manager, options), request, context);
}

/** Runs `handler` inside a session transaction: begin, handler, commit, headers; refusals and outages answer `{ error: { code, message } }`. */
export function withSession<D extends object>(
  manager: SessionManager<D>,
  request: Request,
  handler: (session: Session<D>) => Response | Promise<Response>,
  options?: FetchSessionOptions,
  context?: FetchContext,
): Promise<Response> {
  return runFetch(policyFor(manager, options), request, handler, context);
}
