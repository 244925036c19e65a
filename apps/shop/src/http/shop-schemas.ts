/**
 * JSON schemas of the account, checkout and admin routes, with the TypeScript types they
 * guarantee. Same rules as `schemas.ts`: extra properties are dropped, nothing is coerced.
 *
 * @module
 */
import { PAYMENT_METHODS, type PaymentMethod } from '../checkout/checkout.js';

/** Body of `POST /reauth`. */
export interface ReauthBody {
  password: string;
  /** The challenge id of the `ERR_SESSION_STEP_UP_REQUIRED` answer this re-authentication answers. */
  challenge?: string;
}

/** Body of `POST /password`. */
export interface PasswordChangeBody {
  new_password: string;
}

/** Body of `POST /checkout/address`. */
export interface AddressBody {
  name: string;
  street: string;
  city: string;
  postcode: string;
  country: string;
}

/** Body of `POST /checkout/payment`. */
export interface PaymentBody {
  method: PaymentMethod;
}

/** Body of `POST /checkout/place`. */
export interface PlaceOrderBody {
  idempotency_key: string;
}

/** Body of `POST /admin/view-as`. */
export interface ViewAsBody {
  username: string;
}

// Printable text: no control characters reach the session or the orders table.
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength, pattern: '^[^\\u0000-\\u001f\\u007f]*$' }) as const;

const object = <P extends Record<string, unknown>, R extends readonly (keyof P & string)[]>(properties: P, required: R) =>
  ({ body: { type: 'object', required, additionalProperties: false, properties } }) as const;

/** `POST /reauth`: length-capped only, like the login password. */
export const reauthSchema = object({ password: { type: 'string', minLength: 1, maxLength: 128 }, challenge: { type: 'string', minLength: 1, maxLength: 64 } }, [
  'password',
] as const);

/** `POST /password`: the same rules as at registration. */
export const passwordChangeSchema = object({ new_password: { type: 'string', minLength: 8, maxLength: 128 } }, ['new_password'] as const);

/** `POST /checkout/address`. */
export const addressSchema = object(
  {
    name: text(100),
    street: text(200),
    city: text(100),
    postcode: { type: 'string', minLength: 2, maxLength: 12, pattern: '^[A-Za-z0-9 -]*$' },
    country: { type: 'string', minLength: 2, maxLength: 2, pattern: '^[A-Z]{2}$' },
  },
  ['name', 'street', 'city', 'postcode', 'country'] as const,
);

/** `POST /checkout/payment`. No card numbers: the shop never sees them. */
export const paymentSchema = object({ method: { type: 'string', enum: PAYMENT_METHODS } }, ['method'] as const);

/**
 * `POST /checkout/place`. The key is chosen by the client once per order attempt (a UUID is
 * fine) and sent again on every retry of that attempt.
 */
export const placeOrderSchema = object({ idempotency_key: { type: 'string', minLength: 16, maxLength: 64, pattern: '^[A-Za-z0-9_-]*$' } }, [
  'idempotency_key',
] as const);

/** `POST /admin/view-as`. */
export const viewAsSchema = object({ username: { type: 'string', minLength: 1, maxLength: 64 } }, ['username'] as const);
