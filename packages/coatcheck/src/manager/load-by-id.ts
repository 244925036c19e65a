/**
 * Sessions loaded by id instead of by cookie: the request of a verified access or refresh
 * token names its session (`sid`), and `manager.loadById` / `loadCachedById` give it the
 * handle. Such a handle never produces a `Set-Cookie`.
 *
 * @module
 */
import type { SessionContext } from '../session/context.js';
import type { DeviceApi } from '../session/device-api.js';
import { createSession } from '../session/session.js';
import type { LoadStatus, Session } from '../session/session-types.js';
import type { SessionRecord } from '../store/types.js';
import { isTicketId } from '../ticket/ticket.js';
import type { LoadByIdOptions, RequestInfo } from './manager.js';

/** `loadById` and `loadCachedById` of one manager. */
export interface IdLoader<D extends object> {
  loadById(id: string | null, request?: RequestInfo, options?: LoadByIdOptions): Promise<Session<D>>;
  loadCachedById(id: string, request?: RequestInfo): Session<D> | null;
}

const NO_REQUEST: RequestInfo = Object.freeze({});

/** Creates the by-id loaders on the manager's store gateway. */
export function createIdLoader<D extends object>(ctx: SessionContext, devices: DeviceApi): IdLoader<D> {
  const { gateway } = ctx;

  /** A session carried by something other than the cookie (a token): it never sets one. */
  function cookielessSession(status: LoadStatus, record: SessionRecord | null, request: RequestInfo): Session<D> {
    return createSession<D>(ctx, devices, {
      mode: null,
      status,
      record,
      secret: null,
      resign: false,
      clear: false,
      userAgent: request.userAgent,
      ip: request.ip,
    });
  }

  return {
    async loadById(id, request = NO_REQUEST, options) {
      if (id === null) return cookielessSession('none', null, request);
      // Only well-formed ids reach the store. (BI-08, BI-09)
      if (!isTicketId(id)) return cookielessSession('invalid', null, request);
      const record = await gateway.read(id, ctx.now(), options?.fresh === true);
      return cookielessSession(record === null ? 'expired' : 'valid', record, request);
    },
    loadCachedById(id, request = NO_REQUEST) {
      // The cache only holds records read from the store since the last invalidation, and it
      // is emptied while the bus is down, so a hit is as good as a store read. (Ids of the
      // wrong shape never got into it.)
      const record = gateway.readCached(id, ctx.now());
      return record === null ? null : cookielessSession('valid', record, request);
    },
  };
}
