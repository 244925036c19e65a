/**
 * Cross-site request forgery protection, written once for every adapter.
 *
 * A browser attaches the session cookie to requests another site makes it send, so an unsafe
 * request (anything but GET, HEAD, OPTIONS, TRACE) carrying the cookie is only trusted when
 * the request shows it came from this site. The rules follow Go's `net/http`
 * `CrossOriginProtection` (Fetch Metadata, then `Origin`), with an optional synchronizer token
 * for deployments that must serve browsers which send neither header. In order:
 *
 * 1. Safe methods pass. The comparison is exact: `post` or `PoSt` is unsafe. (CS-08)
 * 2. A request with an `Authorization` header and no session cookie passes: a bearer token
 *    is not ambient, a forged request cannot carry it.
 * 3. `Sec-Fetch-Site` (sent by every current browser): `same-origin` and `none` (typed by
 *    the user) pass; `same-site`, `cross-site` or anything else pass only when `Origin` is in
 *    `trustedOrigins`. (CS-06)
 * 4. No `Sec-Fetch-Site` but an `Origin`: it must be this site's origin or a trusted origin,
 *    compared exactly; `null` is refused. (CS-07) Go compares only the host of `Origin` with
 *    `Host` here and lets an `http://` page post to the `https://` site; we know the scheme the
 *    adapter saw, so we compare it too. Behind a TLS proxy the framework must be told to trust
 *    it (or the public origin listed in `trustedOrigins`), which the cookie's `Secure` needs anyway.
 * 5. Neither header. Every current browser sends at least one of them on a cross-site unsafe
 *    request, so this is a non-browser client (a script with a cookie jar), or a same-origin
 *    request from a browser too old to send them: it passes. (CS-14) With `mode: 'strict'`,
 *    for sites that must also protect users of such old browsers or of proxies that strip the
 *    headers, a request with a live session cookie must carry the synchronizer token instead
 *    (header or form field); without a cookie there is no credential to abuse. (CS-15)
 *
 * Steps 3 and 4 apply to requests without a cookie too: a cross-site login form would
 * otherwise log the victim into the attacker's account. (CS-05)
 *
 * @module
 */
import { SessionConfigError, SessionCsrfError } from '../errors.js';
import type { Session } from '../session/session-types.js';

/** Options of CSRF protection (`csrf` of `createSessionManager`). */
export interface CsrfOptions {
  /**
   * Other origins allowed to send unsafe requests with the session cookie, each exactly as a
   * browser writes it in `Origin`: scheme, host, and port when not the default, no path or
   * trailing slash (`https://admin.example.com`). The request's own origin is always trusted.
   * @default []
   */
  trustedOrigins?: readonly string[];
  /** Request header carrying the token. @default 'x-csrf-token' */
  headerName?: string;
  /** Form field carrying the token (urlencoded or multipart bodies). @default '_csrf' */
  fieldName?: string;
  /**
   * What happens to an unsafe request with a live session cookie and neither `Origin` nor
   * `Sec-Fetch-Site`. `'standard'`: it passes, as in Go's `CrossOriginProtection` (every
   * current browser sends one of the headers on a cross-site request, so it comes from a
   * script or from a same-origin page of a very old browser). `'strict'`: it must carry the
   * session's token (`session.csrfToken()`, in the header or the form field), for sites whose
   * users may run browsers or proxies that drop both headers. Anything else throws
   * `SessionConfigError`. See docs/csrf.md.
   * @default 'standard'
   */
  mode?: CsrfMode;
}

/** See {@link CsrfOptions.mode}. */
export type CsrfMode = 'standard' | 'strict';

/** What the guard needs to know about a request; adapters read it from their framework. */
export interface CsrfRequest {
  /** The method exactly as received. */
  readonly method: string;
  /** This request's own origin as the server sees it, e.g. `https://shop.example`. */
  readonly target: string;
  /** The `Origin` header. */
  readonly origin: string | null | undefined;
  /** The `Sec-Fetch-Site` header. */
  readonly secFetchSite: string | null | undefined;
  /** Whether an `Authorization` header is present. */
  readonly authorization: boolean;
}

/**
 * The guard every adapter runs before the route handler. Exposed as `manager.csrf` (`null`
 * when disabled with `csrf: false`).
 */
export interface CsrfGuard {
  /** Lower-case header name carrying the token. */
  readonly headerName: string;
  /** Form field carrying the token. */
  readonly fieldName: string;
  /** The configured {@link CsrfOptions.mode}. */
  readonly mode: CsrfMode;
  /**
   * Decides from the headers alone: `null` allows the request, `'token'` means it must
   * present the session's token (pass it to {@link CsrfGuard.checkToken}), and an error means
   * it is refused.
   */
  check(request: CsrfRequest, session: Session<any>): null | 'token' | SessionCsrfError;
  /**
   * `null` when `token` is `session`'s token; the error to answer with otherwise. An adapter
   * that finds a form body nobody had parsed passes `unreadForm` with its framework's fix, so
   * a missing token says to mount the body parser instead of blaming the form.
   */
  checkToken(session: Session<any>, token: unknown, unreadForm?: UnreadForm): SessionCsrfError | null;
  /** Whether `origin` is the target or a trusted origin. For WebSocket upgrades too. */
  isTrustedOrigin(origin: string | null | undefined, target: string): boolean;
}

/**
 * A form body (urlencoded or multipart) that no body parser had read when the CSRF check
 * ran, so its token field could not be looked at. Adapters detect it; the guard words it.
 */
export interface UnreadForm {
  /** The framework's fix, e.g. "Mount the body parser before session(): …". */
  readonly fix: string;
}

const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * Whether a `Content-Type` is an HTML form's (`application/x-www-form-urlencoded` or
 * `multipart/form-data`): the bodies whose CSRF token is in a field.
 */
export function isFormContentType(contentType: string | null | undefined): boolean {
  return typeof contentType === 'string' && FORM_TYPES.test(contentType);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * Whether `method` is safe (GET, HEAD, OPTIONS, TRACE, exact case): no CSRF check applies.
 * Adapters test it first, so safe requests skip building the check's input.
 */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}
const TOKEN_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MODES: readonly unknown[] = ['standard', 'strict'] satisfies CsrfMode[];

function assertOrigin(value: unknown, index: number): string {
  let parsed: URL | null = null;
  try {
    parsed = typeof value === 'string' ? new URL(value) : null;
  } catch {
    parsed = null;
  }
  if (parsed === null || parsed.origin === 'null' || parsed.origin !== value) {
    throw new SessionConfigError(
      `csrf.trustedOrigins[${index}] must be an origin exactly as browsers send it (scheme://host[:port], no path or trailing slash), e.g. "https://admin.example.com"; got ${JSON.stringify(value)}.`,
    );
  }
  return parsed.origin;
}

/** Told of every refusal a guard decides, with the session of the request. */
export type CsrfRefusalListener = (refusal: SessionCsrfError, session: Session<any>) => void;

/**
 * Validates the options and builds the guard. Throws `SessionConfigError`. `onRefused` is
 * called with each refusal before it is returned (the manager emits `csrfRefused` from it);
 * it is not called for allowed requests.
 */
export function createCsrfGuard(options: CsrfOptions = {}, onRefused?: CsrfRefusalListener): CsrfGuard {
  if (options === null || typeof options !== 'object') throw new SessionConfigError('csrf must be an options object or false.');
  const { trustedOrigins = [], headerName = 'x-csrf-token', fieldName = '_csrf', mode = 'standard' } = options;
  if (!MODES.includes(mode))
    throw new SessionConfigError(
      `csrf.mode must be 'standard' (the default: a request with neither Origin nor Sec-Fetch-Site passes) or 'strict' (such a request with a session cookie must carry the CSRF token); got ${JSON.stringify(mode)}.`,
    );
  if (!Array.isArray(trustedOrigins)) throw new SessionConfigError('csrf.trustedOrigins must be an array of origins.');
  if (!TOKEN_NAME.test(headerName)) throw new SessionConfigError('csrf.headerName must be a header name (letters, digits, - and _).');
  if (!TOKEN_NAME.test(fieldName)) throw new SessionConfigError('csrf.fieldName must be a form field name (letters, digits, - and _).');
  const trusted = new Set(trustedOrigins.map(assertOrigin));
  const isTrustedOrigin = (origin: string | null | undefined, target: string) => typeof origin === 'string' && (origin === target || trusted.has(origin));
  const header = headerName.toLowerCase();
  const refuse = (refusal: SessionCsrfError, session: Session<any>): SessionCsrfError => {
    onRefused?.(refusal, session);
    return refusal;
  };

  return Object.freeze({
    headerName: header,
    fieldName,
    mode,
    isTrustedOrigin,
    check(request: CsrfRequest, session: Session<any>) {
      if (SAFE_METHODS.has(request.method)) return null;
      const withCookie = session.status === 'valid';
      if (request.authorization && !withCookie) return null;
      const site = request.secFetchSite;
      if (typeof site === 'string' && site !== '') {
        if (site === 'same-origin' || site === 'none' || trusted.has(request.origin ?? '')) return null;
        return refuse(
          new SessionCsrfError(
            'cross-site',
            `Cross-site request refused: Sec-Fetch-Site is "${site === 'same-site' ? 'same-site' : 'cross-site'}" and its origin is not in csrf.trustedOrigins. If that origin is yours, add it there. A script or other non-browser client should send neither Sec-Fetch-Site nor Origin.`,
          ),
          session,
        );
      }
      if (typeof request.origin === 'string' && request.origin !== '') {
        if (isTrustedOrigin(request.origin, request.target)) return null;
        return refuse(
          new SessionCsrfError(
            'origin',
            'Cross-origin request refused: its Origin is neither this site nor in csrf.trustedOrigins. If that origin is yours, add it there. A script or other non-browser client should not send an Origin header.',
          ),
          session,
        );
      }
      // Neither header: not a cross-site browser request today (step 5 above).
      return mode === 'strict' && withCookie ? 'token' : null;
    },
    checkToken(session: Session<any>, token: unknown, unreadForm?: UnreadForm) {
      if ((typeof token !== 'string' || token === '') && unreadForm !== undefined) {
        return refuse(
          new SessionCsrfError(
            'token-missing',
            `CSRF token missing: this form post has a session cookie but no Origin or Sec-Fetch-Site header, and csrf.mode is 'strict', so its token (from session.csrfToken()) is checked in the ${fieldName} form field, but no body parser had read the form when the session middleware ran. ${unreadForm.fix} Any request may send the token in the ${header} header instead.`,
          ),
          session,
        );
      }
      if (typeof token !== 'string' || token === '') {
        return refuse(
          new SessionCsrfError(
            'token-missing',
            `CSRF token missing: this request has a session cookie but no Origin or Sec-Fetch-Site header, and csrf.mode is 'strict', so it must carry the token from session.csrfToken() in the ${header} header or the ${fieldName} form field. A script client can read the token from a page or route of the app and send it in the ${header} header, or authenticate with a bearer token instead of a cookie.`,
          ),
          session,
        );
      }
      return session.verifyCsrfToken(token)
        ? null
        : refuse(
            new SessionCsrfError(
              'token-invalid',
              'CSRF token invalid: it was not issued for this session (it may predate a login or logout). Reload the form to get a fresh one.',
            ),
            session,
          );
    },
  });
}
