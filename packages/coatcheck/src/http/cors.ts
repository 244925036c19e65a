/**
 * CORS for credentialed requests, written once: an allow-list of exact origins.
 *
 * - A listed origin gets `Access-Control-Allow-Origin: <that origin>` and
 *   `Access-Control-Allow-Credentials: true`; never `*` (browsers refuse `*` with credentials,
 *   and reflecting any origin would hand every site the user's session).
 * - An origin not listed gets no CORS headers: the browser then keeps the response from the
 *   page. Its preflight is answered `403 { error: { code: 'ERR_CORS_ORIGIN' } }` (a clear
 *   answer in the network panel; the browser blocks the real request either way).
 * - `Vary: Origin` on every response once CORS is configured, so caches never serve one
 *   origin's answer to another.
 * - A preflight from a listed origin answers 204 with the allowed methods, the allowed
 *   request headers (always `Authorization`, `Content-Type` and the CSRF header) and
 *   `Access-Control-Max-Age`.
 *
 * CORS only lets a page read responses; it is not CSRF protection. An unsafe cookie request
 * from another origin still needs that origin in `csrf.trustedOrigins`.
 *
 * @module
 */
import { SessionConfigError } from '../errors.js';
import { errorAnswer, type HttpAnswer } from './answer.js';
import { createOriginList } from './origins.js';

/** The `cors` option of the adapters. */
export interface CorsOptions {
  /** Exact origins allowed to read responses with credentials, e.g. `['https://app.example']`. */
  origins: readonly string[];
  /** Methods a preflight allows. @default ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] */
  methods?: readonly string[];
  /** Request headers a preflight allows besides Authorization, Content-Type and the CSRF header. @default [] */
  allowHeaders?: readonly string[];
  /** Response headers the page may read (`Access-Control-Expose-Headers`). @default [] */
  exposeHeaders?: readonly string[];
  /** How long a browser may cache a preflight, in seconds. @default 600 */
  maxAge?: number;
}

/** The compiled CORS rule. */
export interface Cors {
  /** The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`), or `null` for any other request. */
  preflight(method: string, origin: string | undefined, requestMethod: string | undefined): HttpAnswer | null;
  /** Headers for an actual response to a request with this `Origin`. */
  headersFor(origin: string | undefined): Readonly<Record<string, string>>;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VARY = Object.freeze({ vary: 'Origin' });

function tokens(value: readonly string[] | undefined, fallback: readonly string[], label: string): string[] {
  const list = value ?? fallback;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string' && HEADER_NAME.test(item))) {
    throw new SessionConfigError(`cors.${label} must be an array of tokens (header or method names).`);
  }
  return list as string[];
}

/** Compiles the `cors` option. Throws `SessionConfigError`. */
export function createCors(options: CorsOptions, csrfHeader: string | null): Cors {
  if (options === null || typeof options !== 'object') throw new SessionConfigError('cors must be an object: { origins: [...] }.');
  const allowed = createOriginList(options.origins, 'cors.origins');
  const methods = tokens(options.methods, ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], 'methods').join(', ');
  const base = ['authorization', 'content-type', ...(csrfHeader === null ? [] : [csrfHeader])];
  const headers = [...new Set([...base, ...tokens(options.allowHeaders, [], 'allowHeaders').map((h) => h.toLowerCase())])].join(', ');
  const expose = tokens(options.exposeHeaders, [], 'exposeHeaders').join(', ');
  const maxAge = options.maxAge ?? 600;
  if (!Number.isInteger(maxAge) || maxAge < 0) throw new SessionConfigError('cors.maxAge must be a whole number of seconds.');
  const refused = errorAnswer(403, 'ERR_CORS_ORIGIN', 'This origin may not make cross-origin requests here.', VARY);

  function headersFor(origin: string | undefined): Readonly<Record<string, string>> {
    if (!allowed.has(origin)) return VARY;
    const result: Record<string, string> = { vary: 'Origin', 'access-control-allow-origin': origin as string, 'access-control-allow-credentials': 'true' };
    if (expose !== '') result['access-control-expose-headers'] = expose;
    return result;
  }

  return Object.freeze({
    headersFor,
    preflight(method: string, origin: string | undefined, requestMethod: string | undefined) {
      if (method !== 'OPTIONS' || origin === undefined || requestMethod === undefined) return null;
      if (!allowed.has(origin)) return refused;
      return {
        status: 204,
        headers: {
          ...headersFor(origin),
          'access-control-allow-methods': methods,
          'access-control-allow-headers': headers,
          'access-control-max-age': String(maxAge),
          'cache-control': 'no-store',
        },
        body: '',
      };
    },
  });
}
