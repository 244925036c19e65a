/**
 * A transaction over the Fetch API, a `Request` in and a `Response` out (Hono, Next.js route
 * handlers, Bun, Deno): the CSRF token of a form read on demand, answers as `Response`s, and
 * the commit's headers added to the handler's response.
 *
 * @module
 */
import { isFormContentType } from '../csrf/csrf-guard.js';
import type { Session } from '../session/session-types.js';
import type { HttpAnswer } from './answer.js';
import { applyHeaders, type HeaderTarget, type HttpHeaders } from './finish.js';
import { isAnswer, type HttpPolicy } from './http-policy.js';
import { fetchRequest, type FetchConnection } from './request-view.js';
import type { HttpTransaction } from './transaction.js';

/** Where the request came from, and how to read a form field (default: from a clone). */
export interface FetchContext extends FetchConnection {
  /** Reads one field of a form body, e.g. from a framework's cached parsed body. */
  readField?: (name: string) => Promise<unknown>;
}

/** The `Response` for a policy answer. */
export function answerResponse(answer: HttpAnswer): Response {
  return new Response(answer.status === 204 ? null : answer.body, { status: answer.status, headers: answer.headers });
}

async function readFormField(request: Request, name: string, context: FetchContext): Promise<unknown> {
  if (!isFormContentType(request.headers.get('content-type'))) return undefined;
  try {
    return context.readField ? await context.readField(name) : (await request.clone().formData()).get(name);
  } catch {
    return undefined; // an unreadable body carries no token
  }
}

/**
 * Begins a transaction with `policy`: the transaction, or the `Response` to send at once (a
 * refusal, a preflight, a store outage). A form's CSRF token is read here when the policy asks.
 */
export async function beginFetch<D extends object>(
  policy: HttpPolicy<D>,
  request: Request,
  context: FetchContext = {},
): Promise<HttpTransaction<D> | Response> {
  const tx = await policy.begin(fetchRequest(request, context));
  if (isAnswer(tx)) return answerResponse(tx);
  if (tx.csrfField === null) return tx;
  const refused = tx.checkCsrfBody({ [tx.csrfField]: await readFormField(request, tx.csrfField, context) });
  return refused === null ? tx : answerResponse(refused);
}

const HEADERS: HeaderTarget<Headers> = Object.freeze({
  get: (headers: Headers, name: string) => headers.get(name),
  set: (headers: Headers, name: string, value: string) => headers.set(name, value),
  appendCookies: (headers: Headers, values: readonly string[]) => {
    for (const value of values) headers.append('set-cookie', value);
  },
});

/** `response` with `headers` added; copied when its headers are immutable (`Response.redirect()`, a `fetch()` result). */
function withHeaders(response: Response, headers: HttpHeaders): Response {
  try {
    applyHeaders(HEADERS, response.headers, headers);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    applyHeaders(HEADERS, copy.headers, headers);
    return copy;
  }
}

/**
 * Commits the transaction: `response` with its headers, or the error answer instead. `error`,
 * what the handler threw as the framework caught it (Hono's `c.error`): a session error is
 * answered instead of committing.
 */
export async function endFetch(tx: HttpTransaction<any>, response: Response, error?: unknown): Promise<Response> {
  const answer = error === undefined ? null : tx.answerError(error);
  if (answer !== null) return answerResponse(answer);
  const result = await tx.end();
  return isAnswer(result) ? answerResponse(result) : withHeaders(response, result);
}

/**
 * Runs `handler` inside a transaction of `policy`: begin, handler, commit, headers. A session
 * error the handler throws is answered like the policy's own; any other error is rethrown.
 */
export async function runFetch<D extends object>(
  policy: HttpPolicy<D>,
  request: Request,
  handler: (session: Session<D>) => Response | Promise<Response>,
  context?: FetchContext,
): Promise<Response> {
  const tx = await beginFetch(policy, request, context);
  if (tx instanceof Response) return tx;
  let response: Response;
  try {
    response = await handler(tx.session);
  } catch (error) {
    const answer = tx.answerError(error);
    if (answer === null) throw error;
    return answerResponse(answer);
  }
  return endFetch(tx, response);
}
