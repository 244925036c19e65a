/**
 * Fastify plugin for coatcheck sessions, `@coatcheck/fastify` (guide: docs/fastify.md). The
 * core's HTTP policy and driver (`coatcheck/adapter`) decide; this puts them in Fastify's
 * hooks: `onRequest` begins, `preValidation` reads a form's CSRF token, `onSend` commits.
 *
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Session, SessionDataMap, SessionManager } from 'coatcheck';
import { createDriver, createHttpPolicy, isFormContentType, nodeRequest, BODY_LATER, UNREAD_FORM, formBody } from 'coatcheck/adapter';
import type { DriverHost, HttpAnswer, HttpPolicy, HttpPolicyOptions, HttpTransaction, TrustProxy } from 'coatcheck/adapter';

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
    /** `false`: no session on this route: no cookie, bearer token, CSRF check or commit (token endpoints). */
    session?: boolean;
  }
}

/** Options of {@link coatcheck}: `manager`, and `bearer`, `cors`, `trustProxy` (default: Fastify's own). */
export interface CoatcheckFastifyOptions extends Omit<HttpPolicyOptions<any>, 'logger'> {
  /** `false` leaves session errors thrown by routes to your error handler (see `sessionErrorHandler`). @default true */
  errorHandler?: boolean;
}

/** Sets the answer's status and headers, no cookie; the transaction ends here. */
function replace(reply: FastifyReply, answer: HttpAnswer): string {
  reply.request.sessionTransaction = null;
  reply.removeHeader('set-cookie');
  reply.code(answer.status).headers(answer.headers);
  return answer.body;
}

const HOST: DriverHost<FastifyReply> = {
  get: (reply, name) => reply.getHeader(name),
  set: (reply, name, value) => void reply.header(name, value),
  appendCookies: (reply, values) => void reply.header('set-cookie', values),
  send: (reply, answer) => void reply.send(replace(reply, answer)),
  start(reply, tx) {
    reply.request.session = tx.session;
    reply.request.sessionSource = tx.source;
    reply.request.sessionTransaction = tx;
  },
  parsedBody: (reply) => formBody(reply.request.raw, reply.request.body),
  // The body is read in preValidation; a form with no parser would be answered 415 before that.
  body(reply) {
    const type = reply.request.headers['content-type'];
    return isFormContentType(type) && !reply.server.hasContentTypeParser(type!.split(';')[0]!.trim().toLowerCase()) ? UNREAD_FORM : BODY_LATER;
  },
  unreadForm: {
    fix: "Register a form parser so Fastify parses the body before the CSRF check runs (preValidation): @fastify/formbody for urlencoded forms, @fastify/multipart with attachFieldsToBody: 'keyValues' for multipart ones.",
  },
};

/** Answers a session error a route threw (5xx logged with `policy`: Fastify logs only in its default handler); rethrows others. */
function answerError(error: unknown, request: FastifyRequest, reply: FastifyReply, policy?: HttpPolicy<any>): FastifyReply {
  const answer = request.sessionTransaction?.answerError(error) ?? policy?.answerError(error) ?? null;
  if (answer === null) throw error;
  if (policy !== undefined && answer.status >= 500) request.log.error({ err: error }, 'coatcheck: session error');
  return reply.send(replace(reply, answer));
}

/** An error handler answering coatcheck errors in the plugin's shape: `app.setErrorHandler(sessionErrorHandler)`. Rethrows others. */
export const sessionErrorHandler = (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => answerError(error, request, reply);

/** `request.session` typed with `manager`'s data type; a TypeError when the plugin did not run for `request`. */
export function getSession<D extends object>(request: FastifyRequest, _manager: SessionManager<D>): Session<D> {
  if ((request.session ?? null) !== null) return request.session as unknown as Session<D>;
  throw new TypeError(
    'getSession: no session on this request: register the @coatcheck/fastify plugin at the root, before the route, and do not give the route config: { session: false }.',
  );
}

/** Fastify's own `trustProxy` (same forms as ours): its options, found up the scopes' prototype chain. */
function fastifyTrustProxy(scope: object | null): TrustProxy | undefined {
  const key = scope === null ? undefined : Object.getOwnPropertySymbols(scope).find((symbol) => symbol.description === 'fastify.options');
  if (key === undefined) return scope === null ? undefined : fastifyTrustProxy(Object.getPrototypeOf(scope));
  return (scope as Record<symbol, { trustProxy?: TrustProxy } | undefined>)[key]?.trustProxy;
}

/** The plugin; register it once, at the root: `await app.register(coatcheck, { manager })`. */
export async function coatcheck(fastify: FastifyInstance, options: CoatcheckFastifyOptions): Promise<void> {
  const policy = createHttpPolicy({ ...options, manager: options?.manager, trustProxy: options?.trustProxy ?? fastifyTrustProxy(fastify) });
  const driver = createDriver(policy, HOST);
  fastify.decorateRequest('session', null as unknown as Session<SessionDataMap>);
  fastify.decorateRequest('sessionSource', 'cookie');
  fastify.decorateRequest('sessionTransaction', null);
  // Route-level, so the app's own handler keeps every other error (rethrown to it).
  if (options?.errorHandler !== false) {
    fastify.addHook('onRoute', (route) => {
      route.errorHandler ??= (error, request, reply) => answerError(error, request, reply, policy);
    });
  }
  // Callback hooks: an async one costs a promise per request. A route's `config` holds its `csrf` and `session` choices.
  fastify.addHook('onRequest', (request, reply, done) => driver.begin(reply, nodeRequest(request.raw), done, request.routeOptions.config));
  fastify.addHook('preValidation', (request, reply, done) => driver.checkBody(reply, request.sessionTransaction, done));
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const ended = request.sessionTransaction === null ? null : driver.end(reply, request.sessionTransaction);
    if (ended instanceof Promise) ended.then((answer) => done(null, answer === null ? payload : replace(reply, answer)), done);
    else done(null, ended === null ? payload : replace(reply, ended));
  });
}

// What fastify-plugin would set: share the decorators and hooks with the parent scope.
const meta = coatcheck as unknown as Record<symbol, unknown>;
meta[Symbol.for('skip-override')] = true;
meta[Symbol.for('fastify.display-name')] = '@coatcheck/fastify';
meta[Symbol.for('plugin-meta')] = { fastify: '5.x', name: '@coatcheck/fastify' };
