/**
 * The end of a transaction: the commit, and the headers that go with it. The cookie and cache
 * rule lives here once: a response that sets or clears the ticket is `no-store` (CK-12); an
 * authenticated response without a cache policy of its own becomes `private, no-store`.
 *
 * @module
 */
import type { Logger } from '../manager/options.js';
import type { Session } from '../session/session-types.js';
import { abandonSession, commitCookies, isPending } from './session-access.js';

/** Headers an adapter adds to the handler's response (see {@link applyHeaders}). */
export interface HttpHeaders {
  /** `Set-Cookie` values to append. */
  readonly cookies: readonly string[];
  /** Headers to set (`vary` is merged with an existing one). */
  readonly set: Readonly<Record<string, string>>;
  /** Headers to set only when the response has none: the default cache policy. */
  readonly fallback: Readonly<Record<string, string>>;
}

/**
 * Where {@link applyHeaders} writes: a few lines over the framework's response `R`. One
 * constant object per adapter, so a request allocates nothing for it.
 */
export interface HeaderTarget<R> {
  get(response: R, name: string): unknown;
  set(response: R, name: string, value: string): void;
  appendCookies(response: R, values: readonly string[]): void;
}

const NONE: Readonly<Record<string, string>> = Object.freeze({});
const NO_COOKIES: readonly string[] = Object.freeze([]);
const PRIVATE = Object.freeze({ 'cache-control': 'private, no-store' });

/** Nothing to add. */
export const NO_HEADERS: HttpHeaders = Object.freeze({ cookies: NO_COOKIES, set: NONE, fallback: NONE });
const PRIVATE_ONLY: HttpHeaders = Object.freeze({ cookies: NO_COOKIES, set: NONE, fallback: PRIVATE });

function headersFor(session: Session<any>, cookies: readonly string[], extra: Readonly<Record<string, string>>): HttpHeaders {
  if (cookies.length > 0) return { cookies, set: { ...extra, 'cache-control': 'no-store' }, fallback: NONE };
  if (extra === NONE || Object.keys(extra).length === 0) return session.isAuthenticated ? PRIVATE_ONLY : NO_HEADERS;
  return { cookies: NO_COOKIES, set: extra, fallback: session.isAuthenticated ? PRIVATE : NONE };
}

/**
 * Commits `session` and gives the headers; rejects with the commit's error. `now`: the
 * headers are going out this instant (no waiting): commit what needs no store, drop unwritten
 * changes and say so. Synchronous when nothing is pending.
 */
export function finishTransaction(
  session: Session<any>,
  extra: Readonly<Record<string, string>>,
  now: boolean,
  logger: Logger,
): HttpHeaders | Promise<HttpHeaders> {
  if (!isPending(session)) return headersFor(session, NO_COOKIES, extra);
  if (now) {
    const cookies = commitCookies(session);
    if (cookies !== null) return headersFor(session, cookies, extra);
    const dropped = abandonSession(session);
    // No data change pending means a login(), logout(), regenerate() or destroy() was still
    // running (the core logs which one, as ERR_SESSION_NOT_AWAITED): say that, not "0 changes".
    const lost = dropped > 0 ? `${dropped} change(s) were not saved` : 'a session call still running (not awaited) could not reach this response';
    logger.error(
      `coatcheck: the response headers went out before the session was committed, so ${lost}. Streaming handlers must commit the session (Express: await commitSession(req, res)) before writing the body.`,
    );
    return headersFor(session, NO_COOKIES, extra);
  }
  return session.commit().then((cookies) => headersFor(session, cookies, extra));
}

/** Adds `headers` to `response` through `target`. */
export function applyHeaders<R>(target: HeaderTarget<R>, response: R, headers: HttpHeaders): void {
  if (headers.cookies.length > 0) target.appendCookies(response, headers.cookies);
  for (const name in headers.set) {
    const value = headers.set[name] as string;
    // Vary is merged with the app's own (Accept-Encoding, …), never replaced.
    const existing = name === 'vary' ? target.get(response, 'vary') : undefined;
    if (typeof existing === 'string' && existing !== '' && !/(^|,)\s*(origin|\*)\s*(,|$)/i.test(existing)) target.set(response, name, `${existing}, ${value}`);
    else if (typeof existing !== 'string' || existing === '') target.set(response, name, value);
  }
  for (const name in headers.fallback) {
    const existing = target.get(response, name);
    if (existing === undefined || existing === null) target.set(response, name, headers.fallback[name] as string);
  }
}
