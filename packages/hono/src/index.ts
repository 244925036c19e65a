/**
 * Hono middleware for coatcheck sessions. Exported from `@coatcheck/hono`.
 *
 * `session({ manager })` sets `c.get('session')` (typed through `ContextVariableMap`, as
 * hono's own request-id middleware does), refuses cross-site forgeries, and commits the
 * session after the handler. The Fetch-API helpers it is built from are re-exported here and
 * available without Hono from `@coatcheck/hono/fetch`.
 *
 * @module
 */
import type { SessionVariables } from './middleware.js';

declare module 'hono' {
  interface ContextVariableMap extends SessionVariables {}
}

export { session } from './middleware.js';
export type { SessionOptions, SessionVariables } from './middleware.js';
export { withSession, beginSession, endSession, errorResponse, answerResponse } from './fetch.js';
export type { FetchSessionOptions, FetchContext, ErrorBody } from './fetch.js';
