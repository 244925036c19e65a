/**
 * `coatcheck/adapter`: what framework adapters are built from. Applications do not need it.
 *
 * `createHttpPolicy` owns every HTTP decision (proxy trust, CORS, bearer routing, CSRF input,
 * cookie and cache headers, error answers); an adapter builds a request view
 * (`nodeRequest`, `fetchRequest`), calls `begin`, hands the handler `tx.session`, and adds
 * what `tx.end()` gives to the response. The drivers run that cycle for a framework:
 * `createDriver` over a few lines of host (Fastify, Express), `attachTransaction` and
 * `commitResponse` for Node's `ServerResponse`, `beginFetch` / `endFetch` / `runFetch` for
 * the Fetch API; `authenticateUpgrade` serves WebSocket handshakes.
 *
 * @module
 */
export { createHttpPolicy, isAnswer } from './http-policy.js';
export type { HttpPolicy, HttpPolicyOptions, HttpTransaction, BeginResult, AdapterLogger } from './http-policy.js';
export { createDriver, formBody, UNREAD_FORM, BODY_LATER } from './driver.js';
export type { Driver, DriverHost, DriveOptions, FormRequest } from './driver.js';
export { NODE_RESPONSE, attachTransaction, commitResponse, transactionOf, writeAnswer } from './node-response.js';
export { answerResponse, beginFetch, endFetch, runFetch } from './fetch-driver.js';
export type { FetchContext } from './fetch-driver.js';
export { authenticateUpgrade } from './upgrade.js';
export type { UpgradeOptions } from './upgrade.js';
export { nodeRequest, fetchRequest, nodeConnection } from './request-view.js';
export type { HttpRequest, NodeRequestLike, FetchConnection } from './request-view.js';
export { applyHeaders, NO_HEADERS } from './finish.js';
export type { HttpHeaders, HeaderTarget } from './finish.js';
export { answerSessionError, answerBearerFailure, errorAnswer, publicMessage, toErrorBody, STORE_DOWN_MESSAGE, SERVER_ERROR_MESSAGE } from './answer.js';
export type { HttpAnswer, ErrorBody, StepUpChallenge } from './answer.js';
export { createCors } from './cors.js';
export type { Cors, CorsOptions } from './cors.js';
export { createOriginList, normalizeOrigin } from './origins.js';
export type { OriginList } from './origins.js';
export { createProxyTrust } from './proxy-trust.js';
export type { TrustProxy, ProxyTrust, ForwardedView, ForwardedInput } from './proxy-trust.js';
export { INSECURE_COOKIE_WARNING } from './insecure-cookie.js';
export { isPending, commitCookies, abandonSession } from './session-access.js';
export type { SessionCommitControl } from '../session/session-types.js';
export { managerLogger, recordHistory } from '../manager/internals.js';
export type { HistoryNote } from '../manager/history.js';
export { isBearerScheme } from '../bearer.js';
export type { BearerAuthenticator, BearerOutcome, BearerSuccess, BearerFailure, BearerErrorKind } from '../bearer.js';
export { isFormContentType, isSafeMethod } from '../csrf/csrf-guard.js';
export type { CsrfGuard, CsrfRequest, UnreadForm } from '../csrf/csrf-guard.js';
export type { RequestInfo, LoadByIdOptions } from '../manager/manager.js';
export type { LiveSession } from '../manager/liveness.js';
export { readCookie } from '../cookie/read-cookie.js';
export type { CookieLookup } from '../cookie/read-cookie.js';
export { createCsrfGuard } from '../csrf/csrf-guard.js';
export type { CsrfMode } from '../csrf/csrf-guard.js';
