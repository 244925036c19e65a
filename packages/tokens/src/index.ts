/**
 * Bearer mode for coatcheck: short-lived JWT access tokens and rotating refresh tokens, both
 * bound to a server session so that ending the session ends them. Exported from
 * `@coatcheck/tokens`.
 *
 * @module
 */
export { createTokenService, BEARER_FAILURES } from './service.js';
export { UNSCOPED_TOKENS_WARNING } from './unscoped-warning.js';
export type { TokenService, TokenPair, SocketIdentity, TokenBearerFailure } from './service.js';
export type { TokenServiceOptions } from './options.js';
export type { RefreshOutcome } from './refresh/rotate.js';
export { TOKEN_ERROR_CODES, type TokenErrorCode, type AccessTokenErrorCode, type RefreshFailureCode } from './error-codes.js';
export type { TokenEvents, TokenEventEmitter, RefreshEventOutcome } from './events.js';
export type { AccessClaims } from './access/claims.js';
export { anonymousSubject } from './access/claims.js';
export { REFRESH_KEY } from './refresh/refresh-state.js';
export { generateKeyFile, generateTokenKey, addNextKey, rotateKeyFile, retireKeys, removeKey, TOKEN_ALGORITHMS } from './keys/key-file.js';
export type { TokenKeyFile, StoredKey, KeyState, TokenAlgorithm, RotateOptions } from './keys/key-file.js';
export { importKeySet, fingerprintKeys } from './keys/key-set.js';
export type { KeySet, ActiveKey } from './keys/key-set.js';
