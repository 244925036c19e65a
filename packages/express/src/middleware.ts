/**
 * The session middleware: loads `req.session`, runs the CSRF check, and installs the commit.
 *
 * @module
 */
import { isFormContentType, isSafeMethod, isSessionError, SessionConfigError, type CsrfGuard, type Session, type SessionManager } from 'coatcheck';
import type { NextFunction, Request, Response } from 'express';
import { installCommit } from './commit.js';
import { sendSessionError, type AdapterLogger } from './errors.js';

/** Options of {@link session}. */
export interface SessionMiddlewareOptions {
  /** The session manager created with `createSessionManager`. */
  manager: SessionManager<any>;
  /**
   * Where commit failures and uncommitted changes are reported.
   * @default console
   */
  logger?: AdapterLogger;
}

/** The CSRF verdict for `req`: `null` to go on, or the error to answer with. */
function checkCsrf(guard: CsrfGuard, req: Request, session: Session<any>) {
  const headers = req.headers;
  const verdict = guard.check(
    {
      method: req.method,
      target: `${req.protocol}://${(headers.host ?? '').toLowerCase()}`,
      origin: headers.origin,
      secFetchSite: headers['sec-fetch-site'] as string | undefined,
      authorization: headers.authorization !== undefined,
    },
    session,
  );
  if (verdict !== 'token') return verdict;
  // The form field is only there when a body parser (express.urlencoded()) ran before us.
  const body = req.body as Record<string, unknown> | undefined;
  const field = body !== null && typeof body === 'object' ? body[guard.fieldName] : undefined;
  const token = headers[guard.headerName] ?? (typeof field === 'string' ? field : undefined);
  return guard.checkToken(session, token, token === undefined && isUnreadForm(req) ? UNREAD_FORM : undefined);
}

const UNREAD_FORM = {
  fix:
    'Mount the body parser before session(): app.use(express.urlencoded({ extended: false })), then app.use(session({ manager })). ' +
    'Multipart forms parsed per route (multer) are read after session() too: parse them before it.',
};

/**
 * A form body nobody has read yet: a parser that ran consumes the request stream (body-parser,
 * multer), so a form whose stream has not ended was not parsed before this middleware.
 */
function isUnreadForm(req: Request): boolean {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  return hasBody && isFormContentType(req.headers['content-type']) && !req.readableEnded;
}

/**
 * Creates the session middleware. Register it once, before the routes that use
 * `req.session` (and after `express.urlencoded()` if HTML forms send the CSRF token: a form
 * whose token field no parser had read is refused with a 403 that says so).
 *
 * A store outage answers 503 `{ error: { code: 'ERR_SESSION_STORE_UNAVAILABLE' } }` and
 * leaves the cookie untouched; a refused cross-site request answers 403
 * `{ error: { code: 'ERR_SESSION_CSRF' } }` before any route runs.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { createSessionManager } from 'coatcheck'
 * import { memoryStore } from 'coatcheck/memory'
 * import { session, sessionErrorHandler } from '@coatcheck/express'
 *
 * const app = express()
 * app.use(session({ manager: createSessionManager({ store: memoryStore(), secrets: [secret] }) }))
 * app.post('/cart', (req, res) => {
 *   req.session.update('cart', (cart = []) => [...cart, 'apple'])
 *   res.json({ ok: true })
 * })
 * app.use(sessionErrorHandler())
 * ```
 */
export function session(options: SessionMiddlewareOptions) {
  const manager = options?.manager;
  if (!manager || typeof manager.load !== 'function') {
    throw new SessionConfigError('@coatcheck/express: options.manager must be a session manager from createSessionManager()');
  }
  const guard = manager.csrf;
  const logger = options.logger ?? console;

  return function session(req: Request, res: Response, next: NextFunction): void {
    manager
      .load({ cookie: req.headers.cookie, secure: req.secure, userAgent: req.headers['user-agent'], ip: req.ip })
      .then(
        (loaded) => {
          req.session = loaded;
          installCommit(req, res, loaded, logger);
          const refused = guard === null || isSafeMethod(req.method) ? null : checkCsrf(guard, req, loaded);
          if (refused === null) next();
          else sendSessionError(res, refused, logger);
        },
        (error: unknown) => {
          if (isSessionError(error)) sendSessionError(res, error, logger);
          else next(error);
        },
      );
  };
}
