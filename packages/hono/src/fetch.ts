/**
 * coatcheck sessions for any Fetch-API runtime: a `Request` in, a `Response` out. Exported
 * from `@coatcheck/hono/fetch` (no Hono import), for Next.js route handlers, Bun, Deno, or
 * your own server. Every decision is the core's HTTP policy (`coatcheck/adapter`).
 *
 * `withSession` is the whole transaction in one call; `beginSession` and `endSession` are its
 * two halves, for frameworks with their own before/after hooks.
 *
 * @module
 */
import type { AnySessionError, Session, SessionManager } from 'coatcheck';
import {
  answerSessionError,
  applyHeaders,
  createHttpPolicy,
  fetchRequest,
  isAnswer,
  isFormContentType,
  type FetchConnection,
  type HeaderTarget,
  type HttpAnswer,
  type HttpHeaders,
  type HttpPolicy,
  type HttpPolicyOptions,
  type HttpTransaction,
} from 'coatcheck/adapter';

export type { ErrorBody } from 'coatcheck/adapter';

/** Options of the Fetch-API helpers: `bearer`, `cors`, `trustProxy` (see the Hono guide). */
export type FetchSessionOptions = Omit<HttpPolicyOptions<any>, 'manager' | 'logger'>;

/** Where the request came from, and how to read a form field (default: from a clone). */
export interface FetchContext extends FetchConnection {
  readField?: (name: string) => Promise<unknown>;
}

// One policy per options object (or per manager without options): compiled once, not per request.
const policies = new WeakMap<object, HttpPolicy<any>>();

function policyFor(manager: SessionManager<any>, options: FetchSessionOptions | undefined): HttpPolicy<any> {
  const key = options ?? manager;
  let policy = policies.get(key);
  if (policy === undefined) {
    policy = createHttpPolicy({ ...options, manager });
    policies.set(key, policy);
  }
  return policy;
}

/** The `Response` for a policy answer. */
export function answerResponse(answer: HttpAnswer): Response {
  return new Response(answer.status === 204 ? null : answer.body, { status: answer.status, headers: answer.headers });
}

/** The JSON response for a session error: status from the core's table, no internals. */
export function errorResponse(error: AnySessionError): Response {
  return answerResponse(answerSessionError(error));
}

/** Begins a transaction with `policy` (the Hono middleware's way in). */
export async function beginWith<D extends object>(policy: HttpPolicy<D>, request: Request, context: FetchContext = {}): Promise<HttpTransaction<D> | Response> {
  const tx = await policy.begin(fetchRequest(request, context));
  if (isAnswer(tx)) return answerResponse(tx);
  if (tx.csrfField === null) return tx;
  let field: unknown;
  if (isFormContentType(request.headers.get('content-type'))) {
    try {
      field = context.readField ? await context.readField(tx.csrfField) : (await request.clone().formData()).get(tx.csrfField);
    } catch {
      field = undefined; // an unreadable body carries no token
    }
  }
  const refused = tx.checkCsrfBody({ [tx.csrfField]: field });
  return refused === null ? tx : answerResponse(refused);
}

/**
 * Loads the session of `request` and runs the checks: the transaction, or the `Response` to
 * send at once (a refusal, a preflight, a store outage).
 */
export function beginSession<D extends object>(
  manager: SessionManager<D>,
  request: Request,
  options?: FetchSessionOptions,
  context?: FetchContext,
): Promise<HttpTransaction<D> | Response> {
  return beginWith(policyFor(manager, options) as HttpPolicy<D>, request, context);
}

const HEADERS: HeaderTarget<Headers> = {
  get: (h, name) => h.get(name),
  set: (h, name, value) => h.set(name, value),
  appendCookies: (h, values) => {
    for (const value of values) h.append('set-cookie', value);
  },
};

/** `response` with `headers` added; copied when its headers are immutable (a `fetch()` result). */
function withHeaders(response: Response, headers: HttpHeaders): Response {
  const add = (target: Response) => {
    applyHeaders(HEADERS, target.headers, headers);
    return target;
  };
  try {
    return add(response);
  } catch {
    return add(new Response(response.body, response));
  }
}

/** Commits the transaction: `response` with its headers, or the error answer instead. */
export async function endSession(tx: HttpTransaction<any>, response: Response): Promise<Response> {
  const result = await tx.end();
  return isAnswer(result) ? answerResponse(result) : withHeaders(response, result);
}

/**
 * Runs `handler` inside a session transaction: begin, handler, commit, headers. A store
 * outage answers 503 and a refusal 4xx, `{ error: { code, message } }`, never with a cookie.
 *
 * @example
 * ```ts
 * // app/cart/route.ts (Next.js)
 * export const POST = (request: Request) =>
 *   withSession(manager, request, async (session) => {
 *     session.update('cart', (cart = []) => [...cart, 'apple'])
 *     return Response.json({ ok: true })
 *   })
 * ```
 */
export async function withSession<D extends object>(
  manager: SessionManager<D>,
  request: Request,
  handler: (session: Session<D>) => Response | Promise<Response>,
  options?: FetchSessionOptions,
  context?: FetchContext,
): Promise<Response> {
  const tx = await beginSession(manager, request, options, context);
  if (tx instanceof Response) return tx;
  let response: Response;
  try {
    response = await handler(tx.session);
  } catch (error) {
    const answer = tx.answerError(error);
    if (answer === null) throw error;
    return answerResponse(answer);
  }
  return endSession(tx, response);
}
