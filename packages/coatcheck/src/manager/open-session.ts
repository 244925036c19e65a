/**
 * Opening the session of a request from its cookie: the hot path of every request, written
 * in continuation style so that a request costs as few promises as possible: none when there
 * is no ticket or the local cache holds the record, else the store's own and one `then`.
 * `manager.load` wraps it in a promise; the HTTP policy continues from it directly.
 *
 * @module
 */
import { readCookie } from '../cookie/read-cookie.js';
import type { CookieMode } from '../cookie/cookie-options.js';
import type { SessionContext } from '../session/context.js';
import { createSession } from '../session/session.js';
import type { LoadStatus, Session } from '../session/session-types.js';
import type { SessionRecord } from '../store/types.js';
import { hashesEqual, type TicketVerifier } from '../ticket/verified-cache.js';
import type { DeviceApi } from '../session/device-api.js';
import type { RequestInfo } from './manager.js';

/**
 * Opens the session of `request`: `ok(session)`, at once when no store read is needed, or
 * `fail(error)` when the store failed. Returns what they return (or a promise of it).
 */
export type OpenSession<D extends object> = <R>(request: RequestInfo, ok: (session: Session<D>) => R, fail: (error: unknown) => R) => R | Promise<R>;

/** Creates the opener of a manager; `pickMode` chooses the cookie for the request's scheme. */
export function createSessionOpener<D extends object>(
  ctx: SessionContext,
  devices: DeviceApi,
  tickets: TicketVerifier,
  pickMode: (secure: boolean | undefined) => CookieMode,
): OpenSession<D> {
  function build(
    request: RequestInfo,
    mode: CookieMode,
    status: LoadStatus,
    record: SessionRecord | null,
    secret: string | null,
    resign: boolean,
    now?: number,
  ): Session<D> {
    return createSession<D>(ctx, devices, {
      mode,
      status,
      record,
      secret,
      resign,
      clear: status !== 'none' && status !== 'valid',
      userAgent: request.userAgent,
      ip: request.ip,
      now,
    });
  }

  return function open<R>(request: RequestInfo, ok: (session: Session<D>) => R, fail: (error: unknown) => R): R | Promise<R> {
    const mode = pickMode(request.secure);
    const found = readCookie(request.cookie, mode.name);
    if (found.duplicate) return ok(build(request, mode, 'ambiguous', null, null, false));
    if (found.value === null) return ok(build(request, mode, 'none', null, null, false));
    const ticket = tickets.verify(found.value);
    if (ticket === null) return ok(build(request, mode, 'invalid', null, null, false));
    const now = ctx.now();
    return ctx.gateway.readThen(
      ticket.id,
      now,
      (stored) => {
        if (stored === null) return ok(build(request, mode, 'expired', null, null, false));
        if (!hashesEqual(ticket.secretHash, stored.secretHash)) return ok(build(request, mode, 'invalid', null, null, false));
        return ok(build(request, mode, 'valid', stored, ticket.secret, ticket.keyIndex > 0, now));
      },
      fail,
    );
  };
}
