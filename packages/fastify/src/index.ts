/**
 * Fastify plugin for coatcheck sessions. Exported from `@coatcheck/fastify`.
 *
 * Every decision (proxy trust, CORS, bearer routing, CSRF, cookies, error answers) is the
 * core's HTTP policy (`coatcheck/adapter`); this file only moves it into Fastify's hooks:
 * `onRequest` begins the transaction (`request.session`), `preValidation` reads a form's
 * CSRF token from the parsed body when the policy asks for it, `onSend` ends it.
 * Routes opt out with `config: { csrf: false }` or `config: { session: false }`.
 *
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Session, SessionDataMap, SessionManager } from 'coatcheck';
import {
  applyHeaders,
  createHttpPolicy,
  isAnswer,
  isFormContentType,
  nodeRequest,
  type BeginResult,
  type HeaderTarget,
  type HttpAnswer,
  type HttpHeaders,
  type HttpPolicyOptions,
  type HttpTransaction,
  type TrustProxy,
} from 'coatcheck/adapter';
import { readsNoSession } from './route-config.js';

export { getSession } from './get-session.js';
export { toErrorBody, type ErrorBody } from 'coatcheck/adapter';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's session (coatcheck). */
    session: Session<SessionDataMap>;
    /** What carried the session: `'cookie'` (also with no cookie at all) or `'bearer'`. */
    sessionSource: 'cookie' | 'bearer';
    /** The coatcheck transaction of this request (for `sessionErrorHandler`). */
    sessionTransaction: HttpTransaction<any> | null;
  }
  interface FastifyContextConfig {
    /** `false` skips coatcheck's CSRF check on this route. */
    csrf?: boolean;
  }
}

/** Options of the {@link coatcheck} plugin: `manager`, and `bearer`, `cors`, `trustProxy` (see the Fastify guide). */
export interface CoatcheckFastifyOptions extends Omit<HttpPolicyOptions<any>, 'manager' | 'logger'> {
  /** The session manager created with `createSessionManager`. */
  manager: SessionManager<any>;
  /**
   * Answer session errors thrown by route handlers (a store outage during `login()`) in the
   * plugin's shape, with no internal message: each route without an `errorHandler` of its own
   * gets one that handles them and hands every other error on to your `setErrorHandler` (or
   * Fastify's default). `false` leaves them all to your handler (use `sessionErrorHandler`
   * there). @default true
   */
  errorHandler?: boolean;
}

const UNREAD_FORM = {
  fix: "Register a form parser so Fastify parses the body before the CSRF check runs (preValidation): @fastify/formbody for urlencoded forms, @fastify/multipart with attachFieldsToBody: 'keyValues' for multipart ones.",
};

/** Sends a refusal or failure: its transaction ends here, nothing is committed. */
function send(request: FastifyRequest, reply: FastifyReply, answer: HttpAnswer): void {
  request.sessionTransaction = null;
  reply.removeHeader('set-cookie');
  reply.code(answer.status).headers(answer.headers).send(answer.body);
}

const SKIP_CSRF = Object.freeze({ csrf: false });

const REPLY: HeaderTarget<FastifyReply> = {
  get: (reply, name) => reply.getHeader(name),
  set: (reply, name, value) => void reply.header(name, value),
  appendCookies: (reply, values) => void reply.header('set-cookie', values),
};

function apply(reply: FastifyReply, headers: HttpHeaders): void {
  applyHeaders(REPLY, reply, headers);
}

/** Fastify's own `trustProxy` (same forms as ours), the default when the plugin is given none. */
function fastifyTrustProxy(fastify: FastifyInstance): TrustProxy | undefined {
  // Child scopes inherit the options from their parent through the prototype chain.
  for (let scope: object | null = fastify; scope !== null; scope = Object.getPrototypeOf(scope)) {
    const key = Object.getOwnPropertySymbols(scope).find((symbol) => symbol.description === 'fastify.options');
    if (key !== undefined) return (scope as Record<symbol, { trustProxy?: TrustProxy } | undefined>)[key]?.trustProxy;
  }
  return undefined;
}

/**
 * An error handler that answers coatcheck errors thrown by route handlers (a store outage
 * during `login()`) in the plugin's shape and hands every other error to Fastify's default.
 *
 * @example
 * ```ts
 * app.setErrorHandler(sessionErrorHandler)
 * ```
 */
export function sessionErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const answer = request.sessionTransaction?.answerError(error) ?? null;
  if (answer === null) throw error;
  send(request, reply, answer);
  return reply;
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
  const policy = createHttpPolicy({ ...options, manager: options?.manager, trustProxy: options?.trustProxy ?? fastifyTrustProxy(fastify) });
  fastify.decorateRequest('session', null as unknown as Session<SessionDataMap>);
  fastify.decorateRequest('sessionSource', 'cookie');
  fastify.decorateRequest('sessionTransaction', null);
  // Route-level, so the app's own error handler stays in charge of every other error: a route
  // handler that throws falls through to the instance's handler, set before the routes.
  if (options?.errorHandler !== false) {
    const answerErrors = (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const answer = request.sessionTransaction?.answerError(error) ?? policy.answerError(error);
      if (answer === null) throw error;
      // Fastify logs errors only in its default handler: the details go to the log here.
      if (answer.status >= 500) request.log.error({ err: error }, 'coatcheck: session error');
      send(request, reply, answer);
      return reply;
    };
    fastify.addHook('onRoute', (route) => {
      route.errorHandler ??= answerErrors;
    });
  }

  function started(request: FastifyRequest, reply: FastifyReply, result: BeginResult<any>, done: () => void): void {
    if (isAnswer(result)) {
      send(request, reply, result);
      return;
    }
    request.session = result.session;
    request.sessionSource = result.source;
    request.sessionTransaction = result;
    // A form Fastify has no parser for would be answered 415 before the token could be read.
    const type = request.headers['content-type'];
    if (result.csrfField !== null && isFormContentType(type) && !fastify.hasContentTypeParser((type ?? '').split(';')[0]!.trim().toLowerCase())) {
      send(request, reply, result.checkCsrfBody(undefined, UNREAD_FORM) as HttpAnswer);
      return;
    }
    done();
  }

  // Callback-style hooks: an async hook costs a promise and a microtask on every request.
  fastify.addHook('onRequest', (request, reply, done) => {
    // routeOptions builds a new object on every read: read it once.
    const config = request.routeOptions.config;
    if (readsNoSession(config)) {
      const passed = policy.pass(nodeRequest(request.raw));
      if (isAnswer(passed)) send(request, reply, passed);
      else {
        apply(reply, passed);
        done();
      }
      return;
    }
    const result = policy.begin(nodeRequest(request.raw), config?.csrf === false ? SKIP_CSRF : undefined);
    if (!(result instanceof Promise)) return started(request, reply, result, done);
    result.then((value) => started(request, reply, value, done), done);
  });

  fastify.addHook('preValidation', (request, reply, done) => {
    const tx = request.sessionTransaction;
    if (tx === null || tx.csrfField === null) return done();
    const body = request.body;
    const unread = isFormContentType(request.headers['content-type']) && (body === null || typeof body !== 'object');
    const refused = tx.checkCsrfBody(body, unread ? UNREAD_FORM : undefined);
    if (refused === null) return done();
    send(request, reply, refused);
  });

  fastify.addHook('onSend', (request, reply, payload, done) => {
    const tx = request.sessionTransaction;
    if (tx === null) return done(null, payload);
    const finish = (result: HttpHeaders | HttpAnswer) => {
      if (!isAnswer(result)) {
        apply(reply, result);
        done(null, payload);
        return;
      }
      reply.removeHeader('set-cookie');
      reply.code(result.status).headers(result.headers);
      done(null, result.body);
    };
    const ended = tx.end();
    if (!(ended instanceof Promise)) return finish(ended);
    ended.then(finish, (error: unknown) => done(error as Error));
  });
}

// What fastify-plugin would set: share the decorators and hooks with the parent scope.
const meta = coatcheck as unknown as Record<symbol, unknown>;
meta[Symbol.for('skip-override')] = true;
meta[Symbol.for('fastify.display-name')] = '@coatcheck/fastify';
meta[Symbol.for('plugin-meta')] = { fastify: '5.x', name: '@coatcheck/fastify' };
