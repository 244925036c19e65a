/**
 * The HTTP request transaction, written once for every adapter: proxy trust, CORS, bearer
 * routing, loading the session, the CSRF input, the commit and its headers, and every error
 * answer. Adapters only translate: a request view in, an answer or headers out.
 *
 * @module
 */
import { isBearerScheme, type BearerAuthenticator, type BearerFailure, type BearerOutcome } from '../bearer.js';
import { isSafeMethod } from '../csrf/csrf-guard.js';
import { isSessionError, SessionConfigError } from '../errors.js';
import { managerLogger, sessionOpener } from '../manager/internals.js';
import type { SessionManager } from '../manager/manager.js';
import type { Logger } from '../manager/options.js';
import type { Session, SessionDataMap } from '../session/session-types.js';
import { answerBearerFailure, answerSessionError, type HttpAnswer } from './answer.js';
import { createCors, type Cors, type CorsOptions } from './cors.js';

export type { HttpTransaction } from './transaction.js';
import { NO_HEADERS, type HttpHeaders } from './finish.js';
import { Transaction, type HttpTransaction, type TransactionContext } from './transaction.js';
import { warnInsecureCookie } from './insecure-cookie.js';
import { createProxyTrust, type ForwardedView, type TrustProxy } from './proxy-trust.js';
import type { HttpRequest } from './request-view.js';

/** Options of {@link createHttpPolicy}; the adapters take the same ones. */
export interface HttpPolicyOptions<D extends object = SessionDataMap> {
  /** The session manager created with `createSessionManager`. */
  manager: SessionManager<D>;
  /**
   * Accept `Authorization: Bearer` access tokens (`createTokenService` of `@coatcheck/tokens`).
   * The Authorization header wins over the cookie (which is then neither read nor set); two
   * Authorization headers are refused as ambiguous; tokens in the query string are refused
   * with 400 `ERR_TOKEN_IN_URL`. @default off
   */
  bearer?: BearerAuthenticator<D> | undefined;
  /** Credentialed CORS for an allow-list of exact origins. @default off */
  cors?: CorsOptions | undefined;
  /** Which proxies' `X-Forwarded-*` / `Forwarded` headers to believe. @default false */
  trustProxy?: TrustProxy | undefined;
  /** Where session failures are reported. @default the manager's logger */
  logger?: AdapterLogger | undefined;
}

/** Where an adapter reports session failures; without `warn`, warnings go to the manager's logger. */
export interface AdapterLogger {
  error(message: string, context?: Record<string, unknown>): void;
  warn?(message: string, context?: Record<string, unknown>): void;
}

/** What `begin` gives: a transaction, or an answer to send at once. */
export type BeginResult<D extends object> = HttpTransaction<D> | HttpAnswer;

/** The policy adapters run every request through. */
export interface HttpPolicy<D extends object = SessionDataMap> {
  /** Starts the transaction; `csrf: false` skips the CSRF check (a route that opted out). */
  begin(request: HttpRequest, options?: { readonly csrf?: boolean }): BeginResult<D> | Promise<BeginResult<D>>;
  /** For a route that reads no session: a preflight or refusal answer, or the CORS headers. */
  pass(request: HttpRequest): HttpAnswer | HttpHeaders;
  /** The answer for a session error outside a transaction, or `null` for any other error. */
  answerError(error: unknown): HttpAnswer | null;
  /** How the request arrived under the proxy-trust rule (HTTPS or not, client address). */
  forwarded(request: HttpRequest): ForwardedView;
}

/** Whether `begin`/`end` gave an answer rather than a transaction or headers. */
export function isAnswer(value: object): value is HttpAnswer {
  return typeof (value as { body?: unknown }).body === 'string';
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
const NO_EXTRA: Readonly<Record<string, string>> = Object.freeze({});
const same = <T>(value: T): T => value;
const raise = (error: unknown): never => {
  throw error;
};

/** Per-route choices of `begin`. */
type BeginOptions = { readonly csrf?: boolean };

/** {@link HttpPolicy.begin} in continuation style: returns what `ok` or `fail` returns, or a promise of it. */
export type BeginWith<D extends object> = <R>(
  request: HttpRequest,
  options: BeginOptions | undefined,
  ok: (result: BeginResult<D>) => R,
  fail: (error: unknown) => R,
) => R | Promise<R>;

const continuations = new WeakMap<object, BeginWith<any>>();

function withWarnings(given: AdapterLogger | undefined, manager: object): Logger {
  if (given === undefined || given === null) return managerLogger(manager);
  if (typeof given.warn === 'function') return given as Logger;
  return { error: (message, context) => given.error(message, context), warn: (message, context) => managerLogger(manager).warn(message, context) };
}

/** Creates the policy. Throws `SessionConfigError` for bad options, at start-up. */
export function createHttpPolicy<D extends object = SessionDataMap>(options: HttpPolicyOptions<D>): HttpPolicy<D> {
  const manager = options?.manager;
  if (!manager || typeof manager.load !== 'function')
    throw new SessionConfigError('coatcheck: options.manager must be a session manager from createSessionManager().');
  const { bearer } = options;
  if (bearer !== undefined && (bearer === null || typeof bearer.authenticate !== 'function'))
    throw new SessionConfigError('coatcheck: options.bearer must be a token service from createTokenService().');
  const guard = manager.csrf;
  const logger = withWarnings(options.logger, manager);
  const trust = createProxyTrust(options.trustProxy);
  const open = sessionOpener(manager);
  const cors: Cors | null = options.cors === undefined ? null : createCors(options.cors, guard?.headerName ?? null);
  if (options.cors !== undefined && options.cors !== null && typeof options.cors !== 'object') throw new SessionConfigError('cors must be an object.');
  const warned = { insecure: false };

  function answerError(error: unknown, extra: Readonly<Record<string, string>> = NO_EXTRA): HttpAnswer | null {
    if (!isSessionError(error)) return null;
    if (error.statusCode >= 500) logger.error('coatcheck: session error', { code: error.code, error });
    return answerSessionError(error, extra);
  }

  /** The early answers every request gets: a preflight, a token in the URL. */
  function early(request: HttpRequest, extra: Readonly<Record<string, string>>): HttpAnswer | null {
    if (cors !== null) {
      const answer = cors.preflight(request.method, request.header('origin'), request.header('access-control-request-method'));
      if (answer !== null) return answer;
    }
    if (bearer !== undefined && request.url.includes('?') && TOKEN_IN_QUERY.test(request.url)) return answerBearerFailure(IN_URL, extra);
    return null;
  }

  const context: TransactionContext = { guard, logger, answerError };
  const transaction = (
    session: Session<D>,
    source: 'cookie' | 'bearer',
    csrfField: string | null,
    extra: Readonly<Record<string, string>>,
  ): HttpTransaction<D> => new Transaction(context, session, source, csrfField, extra);

  function acceptBearer(outcome: BearerOutcome<D>, extra: Readonly<Record<string, string>>): BeginResult<D> {
    return outcome.ok ? transaction(outcome.session, 'bearer', null, extra) : answerBearerFailure(outcome, extra);
  }

  function checkCsrf(request: HttpRequest, session: Session<D>, secure: boolean, extra: Readonly<Record<string, string>>): BeginResult<D> {
    if (guard === null || isSafeMethod(request.method)) return transaction(session, 'cookie', null, extra);
    const verdict = guard.check(
      {
        method: request.method,
        target: `${secure ? 'https' : 'http'}://${(request.header('host') ?? '').toLowerCase()}`,
        origin: request.header('origin'),
        secFetchSite: request.header('sec-fetch-site'),
        authorization: request.header('authorization') !== undefined,
      },
      session,
    );
    if (verdict === null) return transaction(session, 'cookie', null, extra);
    if (verdict !== 'token') return answerError(verdict, extra) as HttpAnswer;
    const token = request.header(guard.headerName);
    // Without the header the token can only be in the body, which the adapter parses later.
    if (token === undefined) return transaction(session, 'cookie', guard.fieldName, extra);
    const refused = guard.checkToken(session, token);
    return refused === null ? transaction(session, 'cookie', null, extra) : (answerError(refused, extra) as HttpAnswer);
  }

  function forwarded(request: HttpRequest): ForwardedView {
    const view = trust(request);
    if (view.untrustedHttps && !warned.insecure) warned.insecure = warnInsecureCookie(logger);
    return view;
  }

  // Continuation style (see BeginWith): `ok` gets the transaction or the answer, `fail` an error that is no session error.
  function beginWith<R>(
    request: HttpRequest,
    beginOptions: BeginOptions | undefined,
    ok: (result: BeginResult<D>) => R,
    fail: (error: unknown) => R,
  ): R | Promise<R> {
    const extra = cors === null ? NO_EXTRA : cors.headersFor(request.header('origin'));
    const answer = early(request, extra);
    if (answer !== null) return ok(answer);
    // Once warned, the request path no longer looks for the HTTPS claim the warning is about.
    const { secure, ip } = warned.insecure ? trust(request, false) : forwarded(request);
    const userAgent = request.header('user-agent');
    const failed = (error: unknown): R => {
      const refusal = answerError(error, extra);
      return refusal === null ? fail(error) : ok(refusal);
    };
    if (bearer !== undefined) {
      const authorization = request.header('authorization');
      if (authorization !== undefined && isBearerScheme(authorization)) {
        if (request.countAuthorization() > 1) return ok(answerBearerFailure(AMBIGUOUS, extra));
        const outcome = bearer.authenticate(authorization, { secure, userAgent, ip });
        // A synchronous answer (cached token, cached session) continues without a microtask.
        if (!(outcome instanceof Promise)) return ok(acceptBearer(outcome, extra));
        return outcome.then((value) => ok(acceptBearer(value, extra)), failed);
      }
    }
    const skipCsrf = beginOptions?.csrf === false;
    return open(
      { cookie: request.header('cookie'), secure, userAgent, ip },
      (session) => ok(skipCsrf ? transaction(session, 'cookie', null, extra) : checkCsrf(request, session, secure, extra)),
      failed,
    );
  }

  function begin(request: HttpRequest, beginOptions?: BeginOptions): BeginResult<D> | Promise<BeginResult<D>> {
    try {
      return beginWith(request, beginOptions, same, raise);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  const policy: HttpPolicy<D> = Object.freeze({
    begin,
    forwarded,
    answerError: (error: unknown) => answerError(error),
    pass(request: HttpRequest): HttpAnswer | HttpHeaders {
      const extra = cors === null ? NO_EXTRA : cors.headersFor(request.header('origin'));
      return early(request, extra) ?? (extra === NO_EXTRA ? NO_HEADERS : { cookies: [], set: extra, fallback: NO_EXTRA });
    },
  });
  continuations.set(policy, beginWith);
  return policy;
}

/**
 * `policy.begin` in continuation style, for the drivers: `ok` runs at once when nothing had to
 * wait, else after the store read, with no promise of the policy's own in between. Falls back
 * to `begin` for a policy of unknown origin.
 */
export function beginWithOf<D extends object>(policy: HttpPolicy<D>): BeginWith<D> {
  const own = continuations.get(policy);
  if (own !== undefined) return own as BeginWith<D>;
  return (request, options, ok, fail) => {
    const result = policy.begin(request, options);
    return result instanceof Promise ? result.then(ok, fail) : ok(result);
  };
}
