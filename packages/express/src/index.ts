/**
 * Express middleware for coatcheck sessions (Express 5 and 4), `@coatcheck/express` (guide:
 * docs/express.md). The core (`coatcheck/adapter`) decides and commits: `session()` runs its
 * driver, and its Node-response commit makes `res.send` and `res.redirect` wait for the store.
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import { isSessionError, type AnySessionError, type Session, type SessionDataMap, type SessionManager } from 'coatcheck';
import { answerSessionError, attachTransaction, commitResponse, createDriver, createHttpPolicy, formBody, nodeRequest } from 'coatcheck/adapter';
import { NODE_RESPONSE, transactionOf, writeAnswer, type AdapterLogger, type DriverHost, type HttpPolicyOptions } from 'coatcheck/adapter';
import type { NextFunction, Request, Response } from 'express';

export { authenticateUpgrade, writeAnswer as sendAnswer } from 'coatcheck/adapter';
export type { AdapterLogger, ErrorBody, UpgradeOptions } from 'coatcheck/adapter';

declare global {
  // Express' own augmentation point for request properties.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request's session (coatcheck). */
      session: Session<SessionDataMap>;
      /** What carried the session: `'cookie'` (also with no cookie at all) or `'bearer'`. */
      sessionSource: 'cookie' | 'bearer';
    }
  }
}

/** Options of {@link session}: `manager`, and `bearer`, `cors`, `trustProxy` (default: the app's `trust proxy`), `logger`. */
export type SessionMiddlewareOptions = HttpPolicyOptions<any>;

type Trust = (address: string, hop: number) => boolean;
const NO_TRUST: Trust = () => false;
// Where `json`, `sendStatus`, `render` and `format` end too; hooked once, on `express.response`.
const DEFERRED = ['send', 'redirect'];

const HOST: DriverHost<Response> = {
  ...NODE_RESPONSE,
  send: writeAnswer,
  start(res, tx) {
    res.req.session = tx.session;
    res.req.sessionSource = tx.source;
    attachTransaction(res, tx, DEFERRED);
  },
  body: (res) => formBody(res.req, res.req.body),
  unreadForm: {
    fix: 'Mount the body parser before session(): app.use(express.urlencoded({ extended: false })), then app.use(session({ manager })). Multipart forms parsed per route (multer) are read after session() too: parse them before it.',
  },
};

/** Creates the session middleware: `app.use(session({ manager }))`, once, before the routes and after `express.urlencoded()`. */
export function session(options: SessionMiddlewareOptions) {
  // The app's compiled `trust proxy fn`, read per request (begin() consults it synchronously).
  let appTrust: Trust = NO_TRUST;
  const trustProxy = options?.trustProxy ?? ((address: string, hop: number) => appTrust(address, hop));
  const driver = createDriver(createHttpPolicy({ ...options, trustProxy }), HOST);
  return function session(req: Request, res: Response, next: NextFunction): void {
    appTrust = (req.app?.get('trust proxy fn') as Trust | undefined) ?? NO_TRUST;
    driver.begin(res, nodeRequest(req), next);
  };
}

/**
 * Commits the session now: call it before streaming (`res.write`, `pipe`, `res.sendFile`, a
 * bare `res.end`); `res.send`, `res.json` and `res.redirect` wait for the commit themselves.
 * Rejects with the coatcheck error when the store fails (pass it to `next`).
 *
 * @example
 * ```ts
 * app.get('/export', async (req, res) => {
 *   req.session.set('lastExport', Date.now())
 *   await commitSession(req, res)
 *   createReadStream('export.csv').pipe(res)
 * })
 * ```
 */
export function commitSession(_req: Request, res: Response): Promise<void> {
  return commitResponse(res);
}

/** `req.session` typed with `manager`'s data type; a TypeError when `session()` did not run for `req`. */
export function getSession<D extends object>(req: Request, _manager: SessionManager<D>): Session<D> {
  if ((req.session ?? null) !== null) return req.session as unknown as Session<D>;
  throw new TypeError('getSession: the @coatcheck/express session() middleware did not run for this request (mount it before the route).');
}

/** Answers a session error, its 5xx logged (the cookie untouched: an outage is not a logout). */
export function sendSessionError(res: ServerResponse, error: AnySessionError, logger: AdapterLogger): void {
  if (error.statusCode >= 500) logger.error('coatcheck: session error', { code: error.code, error });
  writeAnswer(res, transactionOf(res)?.answerError(error) ?? answerSessionError(error));
}

/** Error middleware answering coatcheck errors thrown by routes like the middleware's own, after the routes: `app.use(sessionErrorHandler())`. */
export function sessionErrorHandler(logger: AdapterLogger = console) {
  return function sessionErrorHandler(error: unknown, _req: Request, res: Response, next: NextFunction): void {
    if (isSessionError(error)) sendSessionError(res, error, logger);
    else next(error);
  };
}
