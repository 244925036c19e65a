/**
 * Admin "view as user": `GET /admin/users`, `POST /admin/view-as`, `POST /admin/view-as/leave`.
 *
 * Entering and leaving rotate the ticket, as every change of privilege should: a ticket
 * captured while viewing as a user does not survive the switch back. (LC-04)
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AdminCheck } from '../admin/admins.js';
import { readViewAs, requireAdmin, resolveActing, VIEW_AS_KEY } from '../admin/view-as.js';
import { HttpError } from '../http/errors.js';
import { requireUser } from '../http/require-user.js';
import { viewAsSchema, type ViewAsBody } from '../http/shop-schemas.js';
import type { UserStore } from '../users/user-store.js';

/** What the admin routes need. */
export interface AdminRouteDeps {
  readonly users: UserStore;
  readonly isAdmin: AdminCheck;
  readonly now: () => number;
}

/** Most users listed for the picker. */
const USER_LIST_LIMIT = 200;

/** Registers the admin routes on a scope where `request.session` exists. */
export function adminRoutes(app: FastifyInstance, { users, isAdmin, now }: AdminRouteDeps): void {
  app.get('/admin/users', async (request) => {
    requireAdmin(request, users, isAdmin);
    return { users: users.list(USER_LIST_LIMIT).map((user) => ({ ...user, role: isAdmin(user) ? 'admin' : 'user' })) };
  });

  app.post<{ Body: ViewAsBody }>('/admin/view-as', { schema: viewAsSchema }, async (request) => {
    const admin = requireAdmin(request, users, isAdmin);
    const target = users.findByUsername(request.body.username);
    if (!target) throw new HttpError(404, 'ERR_USER_NOT_FOUND', 'There is no user with that username.');
    if (target.id === admin.id) throw new HttpError(409, 'ERR_VIEW_AS_SELF', 'You are already yourself; pick another user.');
    request.session.set(VIEW_AS_KEY, { userId: target.id, startedAt: now() });
    await request.session.regenerate();
    return { viewAs: { user: target, actor: admin } };
  });

  // Leaving needs no admin rights: someone whose admin role was removed mid-way can still
  // drop the marker (it has no effect for them anyway).
  app.post('/admin/view-as/leave', async (request) => {
    const self = requireUser(request, users);
    if (readViewAs(request.session.get(VIEW_AS_KEY))) {
      request.session.delete(VIEW_AS_KEY);
      await request.session.regenerate();
    }
    const acting = resolveActing(request, users, isAdmin);
    return { user: self, role: acting.role };
  });
}
