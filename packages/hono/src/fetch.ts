/**
 * coatcheck sessions for any Fetch-API runtime: a `Request` in, `Set-Cookie` headers out.
 * Exported from `@coatcheck/hono/fetch` (no Hono import), for Next.js route handlers, Bun,
 * Deno, Cloudflare-style workers running on Node's crypto, or your own server.
 *
 * `withSession` is the whole transaction in one call; `loadSession`, `checkCsrf` and
 * `commitSession` are its steps, for frameworks that have their own before/after hooks.
 *
 * @module
 */
import { isFormContentType, isSafeMethod, isSessionError, type AnySessionError, type CsrfGuard, type Session, type SessionManager } from 'coatcheck';

/** Options of the Fetch-API helpers. */
export interface FetchSessionOptions {
  /**
   * Trust `X-Forwarded-Proto` to decide whether the request was HTTPS (and so the cookie's
   * `Secure` and the origin CSRF compares with). Only behind a proxy you run.
   * @default false
   */
  trustProxy?: boolean;
}

/** Body of an error response: `{ error: { code, message } }`. */
export interface ErrorBody {
  error: { code: string; message: string };
}

const STORE_DOWN_MESSAGE = 'The session store is unavailable; try again shortly.';

/** The JSON response for a session error: status from the core's table, no internals. */
export function errorResponse(error: AnySessionError): Response {
  const message = error.code === 'ERR_SESSION_STORE_UNAVAILABLE' ? STORE_DOWN_MESSAGE : error.statusCode >= 500 ? 'Something went wrong on our side.' : error.message;
  const body: ErrorBody = { error: { code: error.code, message } };
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  if (error.statusCode === 503) headers['retry-after'] = '1';
  return new Response(JSON.stringify(body), { status: error.statusCode, headers });
}

/** The request's own origin, `scheme://host`, as the server sees it. */
export function requestOrigin(request: Request, trustProxy: boolean): { origin: string; secure: boolean } {
  const url = request.url;
  const start = url.indexOf('//') + 2;
  const end = url.indexOf('/', start);
  const host = url.slice(start, end === -1 ? url.length : end).toLowerCase();
  let secure = url.startsWith('https:');
  if (!secure && trustProxy) secure = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
  return { origin: `${secure ? 'https' : 'http'}://${host}`, secure };
}

/**
 * Loads the session of `request`. `ip` is the client address, recorded with a new session for
 * the device list (Fetch requests do not carry it; pass what your runtime knows).
 * Rejects with `SessionStoreError` when the store is down.
 */
export function loadSession<D extends object>(
  manager: SessionManager<D>,
  request: Request,
  options: FetchSessionOptions = {},
  ip: string | null = null,
): Promise<Session<D>> {
  const headers = request.headers;
  return manager.load({
    cookie: headers.get('cookie'),
    secure: requestOrigin(request, options.trustProxy ?? false).secure,
    userAgent: headers.get('user-agent'),
    ip,
  });
}

/**
 * Runs the manager's CSRF check on `request`: `null` when it may go on, or the error to
 * answer (403). The form body is read only when the token is required and not in the header;
 * `readField` reads one field of it (default: from a clone, so the handler can still read the
 * body).
 */
export async function checkCsrf(
  guard: CsrfGuard | null,
  request: Request,
  session: Session<any>,
  options: FetchSessionOptions & { readField?: (name: string) => Promise<unknown> } = {},
): Promise<AnySessionError | null> {
  if (guard === null || isSafeMethod(request.method)) return null;
  const headers = request.headers;
  const verdict = guard.check(
    {
      method: request.method,
      target: requestOrigin(request, options.trustProxy ?? false).origin,
      origin: headers.get('origin'),
      secFetchSite: headers.get('sec-fetch-site'),
      authorization: headers.has('authorization'),
    },
    session,
  );
  if (verdict !== 'token') return verdict;
  let token: unknown = headers.get(guard.headerName);
  if (token === null && isFormContentType(headers.get('content-type'))) {
    try {
      token = options.readField ? await options.readField(guard.fieldName) : (await request.clone().formData()).get(guard.fieldName);
    } catch {
      token = undefined; // an unreadable body carries no token
    }
  }
  return guard.checkToken(session, typeof token === 'string' ? token : undefined);
}

/** Adds the session's Set-Cookie values and the cache policy that goes with them. (CK-12) */
export function applyCookies(headers: Headers, session: Session<any>, cookies: readonly string[]): void {
  if (cookies.length > 0) {
    for (const cookie of cookies) headers.append('set-cookie', cookie);
    headers.set('cache-control', 'no-store');
  } else if (session.isAuthenticated && !headers.has('cache-control')) {
    headers.set('cache-control', 'private, no-store');
  }
}

/**
 * Commits `session` and returns its `Set-Cookie` values (also added to `headers` when given).
 * Rejects with the coatcheck error when the store fails: answer `errorResponse(error)`.
 */
export async function commitSession(session: Session<any>, headers?: Headers): Promise<string[]> {
  const cookies = session.pending ? await session.commit() : [];
  if (headers) applyCookies(headers, session, cookies);
  return cookies;
}

/** `response` with the session's cookies; copies it when its headers are immutable. */
function withCookies(response: Response, session: Session<any>, cookies: readonly string[]): Response {
  try {
    applyCookies(response.headers, session, cookies);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    applyCookies(copy.headers, session, cookies);
    return copy;
  }
}

/**
 * Runs `handler` inside a session transaction: load, CSRF check, handler, commit, cookies.
 * A store outage answers 503 and a refused forgery 403, both `{ error: { code, message } }`,
 * and neither touches the cookie; a commit that fails replaces the handler's response.
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
  options: FetchSessionOptions = {},
): Promise<Response> {
  try {
    const session = await loadSession(manager, request, options);
    const refused = await checkCsrf(manager.csrf, request, session, options);
    if (refused !== null) return errorResponse(refused);
    const response = await handler(session);
    return withCookies(response, session, await commitSession(session));
  } catch (error) {
    if (isSessionError(error)) return errorResponse(error);
    throw error;
  }
}
