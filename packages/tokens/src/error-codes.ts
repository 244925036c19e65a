/**
 * The stable codes of bearer-mode refusals: access tokens (`ERR_TOKEN_*`, answered by the
 * adapters with `WWW-Authenticate: Bearer error="…"`) and refresh tokens
 * (`ERR_REFRESH_TOKEN_*`, `invalid_grant`). They are values, never thrown. Exported from
 * `@coatcheck/tokens`; `docs/errors.md` lists every one, and a test keeps the two in step.
 *
 * @module
 */

/** Every code of a bearer refusal. */
export const TOKEN_ERROR_CODES = Object.freeze([
  'ERR_TOKEN_MALFORMED',
  'ERR_TOKEN_INVALID',
  'ERR_TOKEN_EXPIRED',
  'ERR_TOKEN_SESSION_ENDED',
  'ERR_TOKEN_AMBIGUOUS',
  'ERR_TOKEN_IN_URL',
  'ERR_REFRESH_TOKEN_INVALID',
  'ERR_REFRESH_TOKEN_EXPIRED',
  'ERR_REFRESH_TOKEN_REUSED',
] as const);

/** A code of {@link TOKEN_ERROR_CODES}. Switch on it, not on messages. */
export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

/** Why an access token (or the header carrying it) was refused. */
export type AccessTokenErrorCode = Extract<TokenErrorCode, `ERR_TOKEN_${string}`>;

/** Why a refresh was refused. */
export type RefreshFailureCode = Extract<TokenErrorCode, `ERR_REFRESH_TOKEN_${string}`>;
