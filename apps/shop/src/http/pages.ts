/**
 * Server-rendered pages, for the plain-HTML login flow (no JavaScript): what decides that a
 * request gets a page answer, and the pages themselves.
 *
 * The rule, in one place: a **form post whose `Accept` names `text/html`** (what a browser
 * sends when it submits a form) gets page answers: a 303 redirect on success, an HTML page
 * on a refusal. Every other request, including a script posting a form with `Accept: *\/*`,
 * gets the JSON answers of the API, so clients written for the JSON API keep working.
 *
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isFormContentType } from 'coatcheck/adapter';

/** Whether `request` is a browser's form post, which is answered with redirects and pages. */
export function wantsPage(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return isFormContentType(request.headers['content-type']) && typeof accept === 'string' && /(^|,)\s*text\/html\s*(;|,|$)/i.test(accept);
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

// No script, no style, no framing; forms post to this origin only.
const PAGE_CSP = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Sends an HTML page. `body` must already be escaped. Never cached: pages show a login state. */
export function sendPage(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .send(`<!doctype html>\n<html lang="en"><meta charset="utf-8"><title>${escapeHtml(title)}</title>\n<body>\n${body}\n</body></html>\n`);
}

/** The hidden CSRF field, or nothing when there is no session to protect (a form without a cookie needs no token). */
export function csrfField(fieldName: string, token: string | null): string {
  return token === null ? '' : `<input type="hidden" name="${escapeHtml(fieldName)}" value="${escapeHtml(token)}">`;
}

/** The login form of the login page (and of its error page). */
export function loginForm(csrf: string, error: string | null): string {
  return [
    '<h1>Log in</h1>',
    error === null ? '' : `<p role="alert">${escapeHtml(error)}</p>`,
    '<form method="post" action="/login">',
    csrf,
    '<p><label>Username <input type="text" name="username" autocomplete="username" required></label>',
    '<p><label>Password <input type="password" name="password" autocomplete="current-password" required></label>',
    '<p><label><input type="checkbox" name="remember" value="on"> Remember me</label>',
    '<p><input type="submit" value="Login">',
    '</form>',
    '<p><a href="/">Back to the shop</a>',
  ].join('\n');
}

/** The dashboard of a logged-in user, with a logout form. */
export function dashboard(username: string, csrf: string): string {
  return [
    `<p data-testid="greeting">Hello, ${escapeHtml(username)}! You are logged in.</p>`,
    '<form method="post" action="/logout">',
    csrf,
    '<input type="submit" value="Log out">',
    '</form>',
    '<p><a href="/">Back to the shop</a>',
  ].join('\n');
}
