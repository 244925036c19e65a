/**
 * Fastify plugin for coatcheck sessions. Exported from `@coatcheck/fastify`.
 *
 * Loads the session in `onRequest` (as `request.session`) and commits it in `onSend`, before
 * the headers go out. A store outage answers 503 with a stable error code and leaves the
 * session cookie untouched: an outage is never a logout.
 *
 * CSRF protection (the manager's `csrf` option, on by default) runs in `onRequest` on the
 * headers; only a request that must present the token and has none in the header waits for
 * `preValidation`, where a parsed form body's `_csrf` field is read. A route opts out with
 * `config: { csrf: false }` (webhooks authenticated some other way).
 *
 * A route that needs no session at all opts out with `config: { session: false }`: nothing
 * is read, checked or committed there. Token endpoints (`/token/refresh`, `/token/revoke`)
 * must, so that an expired access token sent along never blocks its own refresh (see
 * `route-config.ts`).
 *
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  isBearerScheme,
  isFormContentType,
  isSafeMethod,
  isSessionError,
  SessionConfigError,
  type BearerAuthenticator,
  type BearerFailure,
  type BearerOutcome,
  type CsrfGuard,
  type Session,
  type SessionDataMap,
  type SessionManager,
} from 'coatcheck';
import { readsNoSession } from './route-config.js';

export { getSession } from './get-session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's session (coatcheck). */
    session: Session<SessionDataMap>;
    /**
     * What carried the session: `'cookie'` (also when there was no cookie at all) or
     * `'bearer'` (an `Authorization: Bearer` access token).
     */
    sessionSource: 'cookie' | 'bearer';
  }
  interface FastifyContextConfig {
    /** `false` skips coatcheck's CSRF check on this route. */
    csrf?: boolean;
  }
}

// Requests whose CSRF token must come from the parsed body: rare, so a WeakSet rather than
// a per-request decorator every request would pay for.
const awaitingToken = new WeakSet<FastifyRequest>();

/** The CSRF verdict on the headers: `null` to go on, `'body'` to look in the body, or the error. */
function checkHeaders(guard: CsrfGuard, request: FastifyRequest, session: Session<SessionDataMap>) {
  if (request.routeOptions.config?.csrf === false) return null;
  const headers = request.headers;
  const verdict = guard.check(
    {
      method: request.method,
      target: `${request.protocol}://${request.host.toLowerCase()}`,
      origin: headers.origin,
      secFetchSite: headers['sec-fetch-site'] as string | undefined,
      authorization: headers.authorization !== undefined,
    },
    session,
  );
  if (verdict !== 'token') return verdict;
  const token = headers[guard.headerName];
  if (token !== undefined) return guard.checkToken(session, token);
  // A form Fastify has no parser for would be answered 415 before the token could be read.
  const type = headers['content-type'];
  if (isFormContentType(type) && !request.server.hasContentTypeParser(mediaType(type))) {
    return guard.checkToken(session, undefined, UNREAD_FORM);
  }
  return 'body';
}

const UNREAD_FORM = {
  fix:
    "Register a form parser so Fastify parses the body before the CSRF check runs (preValidation): @fastify/formbody for urlencoded forms, @fastify/multipart with attachFieldsToBody: 'keyValues' for multipart ones.",
};

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Whether the body of a form post is missing, i.e. its parser did not attach the fields. */
function isUnparsedForm(request: FastifyRequest): boolean {
  const body = request.body;
  return isFormContentType(request.headers['content-type']) && (body === null || typeof body !== 'object');
}

/** Options of the {@link coatcheck} plugin. */
export interface CoatcheckFastifyOptions {
  /** The session manager created with `createSessionManager`. */
  manager: SessionManager<any>;
  /**
   * Accept `Authorization: Bearer` access tokens (`createTokenService` of
   * `@coatcheck/tokens`). The rule when both are present: **the Authorization header wins
   * and the cookie is ignored** (not read, not refreshed, not cleared). A bearer request
   * never gets a `Set-Cookie`. Tokens in the query string (`access_token`,
   * `refresh_token`) are refused with 400 `ERR_TOKEN_IN_URL`. @default off
   */
  bearer?: BearerAuthenticator<any>;
}

/** Body of an error response: `{ error: { code, message } }`. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** Formats a coatcheck error as a response body, without internals or stack. */
export function toErrorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

const STORE_DOWN_MESSAGE = 'The session store is unavailable; try again shortly.';

function publicMessage(error: { code: string; message: string }): string {
  // Store errors carry driver details that belong in logs, not in responses.
  return error.code === 'ERR_SESSION_STORE_UNAVAILABLE' ? STORE_DOWN_MESSAGE : error.message;
}

function failWith(request: FastifyRequest, reply: FastifyReply, error: unknown): string {
  if (!isSessionError(error)) throw error;
  if (error.statusCode >= 500) request.log.error({ err: error }, 'coatcheck: session error');
  else request.log.info({ code: error.code }, 'coatcheck: request refused');
  reply.code(error.statusCode);
  reply.removeHeader('set-cookie');
  reply.header('content-type', 'application/json; charset=utf-8');
  reply.header('cache-control', 'no-store');
  if (error.statusCode === 503) reply.header('retry-after', '1');
  return JSON.stringify(toErrorBody(error.code, publicMessage(error)));
}

// RFC 6750 §2.3 puts access tokens in the query string; URLs end up in logs, history and
// Referer headers, so it is refused outright, as is a refresh token there.
const TOKEN_IN_QUERY = /[?&](?:access_token|refresh_token)=/i;

const AMBIGUOUS: BearerFailure = Object.freeze({
  ok: false,
  status: 401,
  error: 'invalid_request',
  code: 'ERR_TOKEN_AMBIGUOUS',
  message: 'Send one Authorization header.',
});
const IN_URL: BearerFailure = Object.freeze({
  ok: false,
  status: 400,
  error: 'invalid_request',
  code: 'ERR_TOKEN_IN_URL',
  message: 'Tokens are not accepted in the URL; send them in the Authorization header or the request body.',
});

// Node keeps only the first of several Authorization headers in `headers`; the raw list
// shows them all, and two of them are ambiguous, never "first one wins". (BI-13)
function countAuthorization(raw: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).length === 13 && (raw[i] as string).toLowerCase() === 'authorization') count++;
  return count;
}

/** Answers a refused bearer credential (RFC 6750 §3): 401/400, WWW-Authenticate, JSON body. */
function refuse(reply: FastifyReply, failure: BearerFailure): void {
  const description = failure.message.replace(/["\\]/g, '');
  reply
    .code(failure.status)
    .header('www-authenticate', `Bearer error="${failure.error}", error_description="${description}"`)
    .header('cache-control', 'no-store')
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(toErrorBody(failure.code, failure.message)));
}

/**
 * An error handler that answers coatcheck errors thrown by route handlers (a store outage
 * during `login()`, an oversized session) in the plugin's own shape, `{ error: { code,
 * message } }` with `Retry-After` on 503, and hands every other error to Fastify's default
 * handler. Use it, or map `isSessionError(error)` in your own handler.
 *
 * @example
 * ```ts
 * app.setErrorHandler(sessionErrorHandler)
 * ```
 */
export function sessionErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (!isSessionError(error)) throw error;
  return reply.send(failWith(request, reply, error));
}

/**
 * The plugin. Register it once, at the root. Routes that read no session (token refresh and
 * revocation, health checks) say so with `config: { session: false }`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { createSessionManager } from 'coatcheck'
 * import { memoryStore } from 'coatcheck/memory'
 * import { coatcheck } from '@coatcheck/fastify'
 *
 * const app = Fastify()
 * await app.register(coatcheck, { manager: createSessionManager({ store: memoryStore(), secrets: [secret] }) })
 * app.post('/cart/add', async (req) => {
 *   req.session.update('cart', (cart = []) => [...cart, 'apple'])
 *   return { ok: true }
 * })
 * ```
 */
export async function coatcheck(fastify: FastifyInstance, options: CoatcheckFastifyOptions): Promise<void> {
  const { manager, bearer } = options;
  const guard = manager?.csrf ?? null;
  if (!manager || typeof manager.load !== 'function') {
    throw new SessionConfigError('@coatcheck/fastify: options.manager must be a session manager from createSessionManager()');
  }
  if (bearer !== undefined && (bearer === null || typeof bearer.authenticate !== 'function')) {
    throw new SessionConfigError('@coatcheck/fastify: options.bearer must be a token service from createTokenService()');
  }
  fastify.decorateRequest('session', null as unknown as Session<SessionDataMap>);
  fastify.decorateRequest('sessionSource', 'cookie');

  function accept(request: FastifyRequest, reply: FastifyReply, outcome: BearerOutcome<any>, done: (error?: Error) => void): void {
    if (!outcome.ok) return refuse(reply, outcome);
    request.session = outcome.session;
    request.sessionSource = 'bearer';
    done();
  }

  function authenticateBearer(request: FastifyRequest, reply: FastifyReply, authorization: string, done: (error?: Error) => void): void {
    if (countAuthorization(request.raw.rawHeaders) > 1) return refuse(reply, AMBIGUOUS);
    let outcome: BearerOutcome<any> | Promise<BearerOutcome<any>>;
    try {
      outcome = (bearer as BearerAuthenticator<any>).authenticate(authorization, { secure: request.protocol === 'https', userAgent: request.headers['user-agent'], ip: request.ip });
    } catch (error) {
      return done(error as Error);
    }
    // A synchronous answer (cached token, cached session) continues without a microtask.
    if (!(outcome instanceof Promise)) return accept(request, reply, outcome, done);
    outcome.then(
      (value) => accept(request, reply, value, done),
      (error: unknown) => {
        try {
          reply.send(failWith(request, reply, error));
        } catch (unexpected) {
          done(unexpected as Error);
        }
      },
    );
  }

  // Callback-style hooks: an async hook costs a promise and a microtask per request even
  // when there is nothing to do, and these two run on every request.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (bearer !== undefined && request.url.includes('?') && TOKEN_IN_QUERY.test(request.url)) return refuse(reply, IN_URL);
    if (readsNoSession(request)) return done();
    if (bearer !== undefined) {
      const authorization = request.headers.authorization;
      if (authorization !== undefined && isBearerScheme(authorization)) return authenticateBearer(request, reply, authorization, done);
    }
    manager
      .load({
        cookie: request.headers.cookie,
        secure: request.protocol === 'https',
        userAgent: request.headers['user-agent'],
        ip: request.ip,
      })
      .then(
        (session) => {
          request.session = session;
          const verdict = guard === null || isSafeMethod(request.method) ? null : checkHeaders(guard, request, session);
          if (verdict === null) return done();
          if (verdict === 'body') {
            awaitingToken.add(request);
            return done();
          }
          reply.send(failWith(request, reply, verdict));
        },
        (error: unknown) => {
          try {
            reply.send(failWith(request, reply, error));
          } catch (unexpected) {
            done(unexpected as Error);
          }
        },
      );
  });

  fastify.addHook('preValidation', (request, reply, done) => {
    if (guard === null || !awaitingToken.has(request)) return done();
    const body = request.body as Record<string, unknown> | null | undefined;
    const field = body !== null && typeof body === 'object' ? body[guard.fieldName] : undefined;
    const error = guard.checkToken(request.session, Array.isArray(field) ? undefined : field, isUnparsedForm(request) ? UNREAD_FORM : undefined);
    if (error === null) return done();
    reply.send(failWith(request, reply, error));
  });

  fastify.addHook('onSend', (request, reply, payload, done) => {
    const session = request.session;
    if (!session) return done(null, payload);
    const finish = (cookies: readonly string[]) => {
      if (cookies.length > 0) {
        reply.header('set-cookie', cookies);
        // A response that sets or clears the ticket must never be cached. (CK-12)
        reply.header('cache-control', 'no-store');
      } else if (session.isAuthenticated && !reply.hasHeader('cache-control')) {
        reply.header('cache-control', 'private, no-store');
      }
      done(null, payload);
    };
    if (!session.pending) return finish([]);
    session.commit().then(finish, (error: unknown) => {
      try {
        done(null, failWith(request, reply, error));
      } catch (unexpected) {
        done(unexpected as Error);
      }
    });
  });
}

// What fastify-plugin would set: share the decorators and hooks with the parent scope.
const meta = coatcheck as unknown as Record<symbol, unknown>;
meta[Symbol.for('skip-override')] = true;
meta[Symbol.for('fastify.display-name')] = '@coatcheck/fastify';
meta[Symbol.for('plugin-meta')] = { fastify: '5.x', name: '@coatcheck/fastify' };
