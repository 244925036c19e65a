/**
 * The session middleware: begins the core's transaction, sets `req.session`, installs the commit.
 *
 * @module
 */
import type { SessionManager } from 'coatcheck';
import { createHttpPolicy, isAnswer, isFormContentType, managerLogger, nodeRequest, type BeginResult, type HttpPolicyOptions } from 'coatcheck/adapter';
import type { NextFunction, Request, Response } from 'express';
import { installCommit } from './commit.js';
import { sendAnswer, type AdapterLogger } from './errors.js';

/** Options of {@link session}: `manager`, and `bearer`, `cors`, `trustProxy` (see the Express guide). */
export interface SessionMiddlewareOptions extends Omit<HttpPolicyOptions<any>, 'manager' | 'logger'> {
  /** The session manager created with `createSessionManager`. */
  manager: SessionManager<any>;
  /** Where commit failures and uncommitted changes are reported. @default the manager's logger */
  logger?: AdapterLogger;
}

const UNREAD_FORM = {
  fix: 'Mount the body parser before session(): app.use(express.urlencoded({ extended: false })), then app.use(session({ manager })). Multipart forms parsed per route (multer) are read after session() too: parse them before it.',
};

/** A form body no parser has consumed: its stream has not ended. */
function isUnreadForm(req: Request): boolean {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  return hasBody && isFormContentType(req.headers['content-type']) && !req.readableEnded;
}

type Trust = (address: string, hop: number) => boolean;
const NO_TRUST: Trust = () => false;

/**
 * Creates the session middleware. Register it once, before the routes (and after
 * `express.urlencoded()` if HTML forms send the CSRF token). Without `trustProxy` it follows
 * the app's `trust proxy` setting.
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
  const given = options?.logger;
  // The app's compiled `trust proxy fn`, read per request (begin() consults it synchronously).
  let appTrust: Trust = NO_TRUST;
  const policy = createHttpPolicy({
    ...options,
    trustProxy: options?.trustProxy ?? ((address: string, hop: number) => appTrust(address, hop)),
    logger:
      given && manager
        ? { error: (m, c) => given.error(m, c), warn: (m, c) => (given.warn ? given.warn(m, c) : managerLogger(manager).warn(m, c)) }
        : undefined,
  });

  return function session(req: Request, res: Response, next: NextFunction): void {
    const started = (result: BeginResult<any>) => {
      if (isAnswer(result)) return sendAnswer(res, result);
      req.session = result.session;
      req.sessionSource = result.source;
      const refused = result.csrfField === null ? null : result.checkCsrfBody(req.body, isUnreadForm(req) ? UNREAD_FORM : undefined);
      if (refused !== null) return sendAnswer(res, refused);
      installCommit(res, result);
      next();
    };
    appTrust = (req.app?.get('trust proxy fn') as Trust | undefined) ?? NO_TRUST;
    const result = policy.begin(nodeRequest(req));
    if (result instanceof Promise) result.then(started, next);
    else started(result);
  };
}
