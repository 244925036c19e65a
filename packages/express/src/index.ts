/**
 * Express middleware for coatcheck sessions (Express 5 and 4). Exported from
 * `@coatcheck/express`.
 *
 * `session({ manager })` loads the session as `req.session`, refuses cross-site forgeries,
 * and commits the session before the response headers go out (see `commitSession` for
 * streaming handlers). `authenticateUpgrade` serves `ws` servers, which bypass middleware.
 *
 * @module
 */
import type { Session, SessionDataMap } from 'coatcheck';

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

export { session } from './middleware.js';
export type { SessionMiddlewareOptions } from './middleware.js';
export { commitSession } from './commit.js';
export { getSession } from './get-session.js';
export { sessionErrorHandler, sendSessionError, sendAnswer } from './errors.js';
export type { ErrorBody, AdapterLogger } from './errors.js';
export { authenticateUpgrade } from './upgrade.js';
export type { UpgradeOptions } from './upgrade.js';
