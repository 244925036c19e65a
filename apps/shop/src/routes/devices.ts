/**
 * "My devices": `GET /sessions` (with the devices the cap on devices signed out lately, and
 * which sign-in made room), `DELETE /sessions/:id`, `POST /sessions/revoke-others`, and
 * each device's history, `GET /sessions/:id/history` (logins, refreshes, changes of address,
 * revocations and who made them, from the session manager's history).
 *
 * Session ids here are the tickets' public ids: opaque handles that are useless as cookies.
 * They are taken only from the path, never from the query string or a body. (BI-09)
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { SessionManager } from 'coatcheck';
import { HttpError } from '../http/errors.js';
import { requireUser } from '../http/require-user.js';
import { sessionParamsSchema, type SessionParams } from '../http/schemas.js';
import type { UserStore } from '../users/user-store.js';
import { listEvictions } from '../devices/evictions.js';

/** What the device routes need. */
export interface DeviceRouteDeps {
  readonly users: UserStore;
  readonly manager: SessionManager<any>;
  /** The clock of the sessions (epoch ms): which evictions are recent. */
  readonly now: () => number;
}

/** Entries a device's history shows. */
const HISTORY_LIMIT = 20;

/** Registers the device routes on a scope where `request.session` exists. */
export function deviceRoutes(app: FastifyInstance, { users, manager, now }: DeviceRouteDeps): void {
  app.get('/sessions', async (request) => {
    const user = requireUser(request, users);
    const [sessions, evictions] = await Promise.all([request.session.listDevices(), listEvictions(manager, user.id, now())]);
    return { sessions, evictions };
  });

  app.delete<{ Params: SessionParams }>('/sessions/:id', { schema: sessionParamsSchema }, async (request, reply) => {
    requireUser(request, users);
    // Another user's session, a malformed id and an unknown id look the same: 404. (LC-19)
    const revoked = await request.session.revokeDevice(request.params.id);
    if (!revoked) throw new HttpError(404, 'ERR_SESSION_NOT_FOUND', 'You have no session with that id.');
    return reply.code(204).send();
  });

  app.get<{ Params: SessionParams }>('/sessions/:id/history', { schema: sessionParamsSchema }, async (request) => {
    const user = requireUser(request, users);
    // Only my own entries: an earlier ticket of the device may have been someone else's
    // session (a login over theirs). Another user's id and an unknown one look the same. (LC-19)
    const entries = (await manager.history({ sessionId: request.params.id }, { limit: HISTORY_LIMIT })).filter((entry) => entry.userId === user.id);
    if (entries.length === 0) throw new HttpError(404, 'ERR_SESSION_NOT_FOUND', 'You have no session with that id.');
    return { history: entries.map(({ at, type, sessionId, actor, reason, ip, userAgent }) => ({ at, type, sessionId, actor, reason, ip, userAgent })) };
  });

  app.post('/sessions/revoke-others', async (request) => {
    requireUser(request, users);
    const revoked = await request.session.revokeOtherDevices();
    return { revoked: revoked.length };
  });
}
