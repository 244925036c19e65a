/**
 * The plain-HTML login flow, for browsers without JavaScript and for form-posting scripts:
 * `GET /login` (the form), `GET /dashboard` (the greeting, or a redirect to the login page).
 * `POST /login` and `POST /logout` answer these pages' form posts with redirects (see
 * `routes/auth.ts` and `http/pages.ts`). The React page at `/` stays the main interface.
 *
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csrfField, dashboard, loginForm, sendPage } from '../http/pages.js';
import type { UserStore } from '../users/user-store.js';

/** What the page routes need. */
export interface PageDeps {
  readonly users: UserStore;
  /** The form field the CSRF check reads (`manager.csrf.fieldName`). */
  readonly csrfFieldName: string;
}

/** Renders the login page; `routes/auth.ts` uses it for a refused page login as well. */
export interface LoginPages {
  sendLogin(request: FastifyRequest, reply: FastifyReply, status: number, error: string | null): Promise<FastifyReply>;
}

/**
 * The hidden CSRF field for a page of this request. Only a cookie session has a token to
 * carry; without one, rendering a form creates no session (AB-01), and the form's post needs
 * no token because it carries no cookie.
 */
async function csrfOf(request: FastifyRequest, fieldName: string): Promise<string> {
  const { session } = request;
  const withCookie = request.sessionSource === 'cookie' && session.status === 'valid';
  return csrfField(fieldName, withCookie ? await session.csrfToken() : null);
}

/** Registers the pages on a scope where `request.session` exists; returns the login renderer. */
export function pageRoutes(app: FastifyInstance, { users, csrfFieldName }: PageDeps): LoginPages {
  const sendLogin: LoginPages['sendLogin'] = async (request, reply, status, error) =>
    sendPage(reply, status, 'Log in', loginForm(await csrfOf(request, csrfFieldName), error));

  app.get('/login', { schema: { hide: true } }, (request, reply) => sendLogin(request, reply, 200, null));

  app.get('/dashboard', { schema: { hide: true } }, async (request, reply) => {
    const userId = request.session.userId;
    const user = userId === null ? null : users.findById(userId);
    if (!user) return reply.redirect('/login', 303);
    return sendPage(reply, 200, 'Dashboard', dashboard(user.username, await csrfOf(request, csrfFieldName)));
  });
  return { sendLogin };
}
