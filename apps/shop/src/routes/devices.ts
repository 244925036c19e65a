/**
 * "My devices": `GET /sessions`, `DELETE /sessions/:id`, `POST /sessions/revoke-others`.
 *
 * Session ids here are the tickets' public ids: opaque handles that are useless as cookies.
 * They are taken only from the path, never from the query string or a body. (BI-09)
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.js';
import { requireUser } from '../http/require-user.js';
import { sessionParamsSchema, type SessionParams } from '../http/schemas.js';
import type { UserStore } from '../users/user-store.js';

/** What the device routes need. */
export interface DeviceRouteDeps {
  readonly users: UserStore;
}

/** Registers the device routes on a scope where `request.session` exists. */
export function deviceRoutes(app: FastifyInstance, { users }: DeviceRouteDeps): void {
  app.get('/sessions', async (request) => {
    requireUser(request, users);
    return { sessions: await request.session.listDevices() };
  });

  app.delete<{ Params: SessionParams }>('/sessions/:id', { schema: sessionParamsSchema }, async (request, reply) => {
    requireUser(request, users);
    // Another user's session, a malformed id and an unknown id look the same: 404. (LC-19)
    const revoked = await request.session.revokeDevice(request.params.id);
    if (!revoked) throw new HttpError(404, 'ERR_SESSION_NOT_FOUND', 'You have no session with that id.');
    return reply.code(204).send();
  });

  app.post('/sessions/revoke-others', async (request) => {
    requireUser(request, users);
    const revoked = await request.session.revokeOtherDevices();
    return { revoked: revoked.length };
  });
}
