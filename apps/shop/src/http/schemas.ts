/**
 * JSON schemas of the request bodies and parameters, with the TypeScript types they
 * guarantee. Extra properties are stripped before a handler sees the body (ajv
 * `removeAdditional`), and nothing is coerced: `"2"` is not a quantity. (BI-09)
 *
 * @module
 */
import { MAX_LINE_QUANTITY } from '../cart/cart.js';
import { INTEGER_STRING } from './validation.js';

/** Body of `POST /register`. */
export interface RegisterBody {
  username: string;
  password: string;
}

/** Body of `POST /login`. */
export interface LoginBody {
  username: string;
  password: string;
  remember?: boolean;
}

/** Body of `POST /cart/add`. */
export interface CartAddBody {
  /** A catalogue id; `"42"` is accepted for `42`, as FastAPI's `item_id: int` accepts it. */
  item_id: number | string;
  quantity: number;
}

/** Params of `DELETE /sessions/:id`. */
export interface SessionParams {
  id: string;
}

/** Largest item id: nine digits, far below `Number.MAX_SAFE_INTEGER`. */
const MAX_ITEM_ID = 999_999_999;

const username = { type: 'string', minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9_.-]*$' } as const;
const password = { type: 'string', minLength: 8, maxLength: 128 } as const;

/** `POST /register`. */
export const registerSchema = {
  body: {
    type: 'object',
    required: ['username', 'password'],
    additionalProperties: false,
    properties: { username, password },
  },
} as const;

/**
 * `POST /login`. The password is only length-capped: a login must not reveal which rules
 * passwords follow, and the cap bounds the hashing work per request.
 */
export const loginSchema = {
  body: {
    type: 'object',
    required: ['username', 'password'],
    additionalProperties: false,
    properties: {
      username: { type: 'string', minLength: 1, maxLength: 64 },
      password: { type: 'string', minLength: 1, maxLength: 128 },
      remember: { type: 'boolean', default: false },
    },
  },
} as const;

/**
 * `POST /cart/add`. An item id is a positive integer, or a string of digits meaning one (what
 * a form sends, and what FastAPI's `item_id: int` accepts); `4.2`, `"abc"`, `true` and `-1`
 * are 422s. `minimum` applies to the number, `pattern` to the string.
 */
export const cartAddSchema = {
  body: {
    type: 'object',
    required: ['item_id'],
    additionalProperties: false,
    properties: {
      item_id: { type: ['integer', 'string'], minimum: 1, maximum: MAX_ITEM_ID, maxLength: 9, pattern: INTEGER_STRING },
      quantity: { type: 'integer', minimum: 1, maximum: Math.min(99, MAX_LINE_QUANTITY), default: 1 },
    },
  },
} as const;

/** `DELETE /sessions/:id`. Any string is accepted; an id that is not one of mine is a 404. */
export const sessionParamsSchema = {
  params: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
  },
} as const;

/** Body of `POST /token/refresh`. */
export interface RefreshBody {
  refresh_token: string;
}

/** Body of `POST /token/revoke` (RFC 7009 names the fields `token` and `token_type_hint`). */
export interface RevokeBody {
  token: string;
  token_type_hint?: string;
}

// Long enough for any refresh token, short enough that nothing big is ever looked at.
const refreshToken = { type: 'string', minLength: 1, maxLength: 256 } as const;
// An access token is a signed JWT (about 360 characters here); the cap is the token
// service's own `maxTokenLength` default, so whatever it would accept in a header fits.
const anyToken = { type: 'string', minLength: 1, maxLength: 4096 } as const;

/** `POST /token/refresh`. */
export const refreshSchema = {
  body: { type: 'object', required: ['refresh_token'], additionalProperties: false, properties: { refresh_token: refreshToken } },
} as const;

/**
 * `POST /token/revoke`: an access or a refresh token. Only string fields, so a form-encoded
 * body validates the same as JSON. The hint is accepted and ignored (RFC 7009 §2.1 lets the
 * server search every type): the two kinds of token are told apart by their shape.
 */
export const revokeSchema = {
  body: {
    type: 'object',
    required: ['token'],
    additionalProperties: false,
    properties: { token: anyToken, token_type_hint: { type: 'string', maxLength: 64 } },
  },
} as const;
