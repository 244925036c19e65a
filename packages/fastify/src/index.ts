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
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSafeMethod, isSessionError, type CsrfGuard, type Session, type SessionDataMap, type SessionManager } from 'coatcheck';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's session (coatcheck). */
    session: Session<SessionDataMap>;
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
  return token === undefined ? 'body' : guard.checkToken(session, token);
}

/** Options of the {@link coatcheck} plugin. */
export interface CoatcheckFastifyOptions {
  /** The session manager created with `createSessionManager`. */
  manager: SessionManager<any>;
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
 * The plugin. Register it once, at the root.
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
  const { manager } = options;
  const guard = manager?.csrf ?? null;
  if (!manager || typeof manager.load !== 'function') {
    throw new TypeError('@coatcheck/fastify: options.manager must be a session manager from createSessionManager()');
  }
  fastify.decorateRequest('session', null as unknown as Session<SessionDataMap>);

  // Callback-style hooks: an async hook costs a promise and a microtask per request even
  // when there is nothing to do, and these two run on every request.
  fastify.addHook('onRequest', (request, reply, done) => {
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
    const error = guard.checkToken(request.session, Array.isArray(field) ? undefined : field);
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
