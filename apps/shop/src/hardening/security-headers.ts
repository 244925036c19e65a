/**
 * Security headers on every response of the shop, in one place. (AP-04)
 *
 * - `X-Content-Type-Options: nosniff`: a JSON answer that echoes user text is never run as a
 *   script or rendered as HTML by a browser that guesses types.
 * - `Content-Security-Policy`: scripts, styles, fetches and sockets from this origin only, no
 *   plugins, no `<base>`, forms to this origin, and no framing (clickjacking). The React page
 *   has no inline script or style element, so it needs nothing more; on a JSON response the
 *   policy does nothing, and it keeps an answer opened directly in a tab from loading
 *   anything. A route with its own policy (Swagger UI at `/docs`) sets it after this one.
 * - `X-Frame-Options: DENY`: `frame-ancestors` for browsers without CSP level 2.
 * - `Referrer-Policy: strict-origin-when-cross-origin`: other sites see at most the origin,
 *   never a path or query. Not `no-referrer`: under it browsers send `Origin: null` on
 *   same-origin form posts, which a CSRF check must then refuse.
 * - `Strict-Transport-Security` only on requests that came over HTTPS (behind a proxy, only
 *   with `TRUST_PROXY`): over plain HTTP the header is ignored by browsers, and on
 *   `http://localhost` during development it would pin the name to HTTPS for a year.
 *
 * @module
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The policy of the page and the default of every response. */
const PAGE_CSP = ["default-src 'self'", "img-src 'self' data:", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"].join(
  '; ',
);

/** A year, and sub-domains: what browsers' preload lists ask for. */
const HSTS = 'max-age=31536000; includeSubDomains';

const ALWAYS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'content-security-policy': PAGE_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
});

/**
 * Adds the headers on the root instance, for every route, error and 404. A header a route
 * set itself is left alone.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  // onSend: it also runs for router errors (bad URL encoding), which skip onRequest. Root
  // hooks run before those of plugins, so a plugin's own policy (Swagger UI's) replaces this
  // one, and a header the handler set is kept.
  app.addHook('onSend', async (request, reply, payload) => {
    applySecurityHeaders(request, reply);
    return payload;
  });
}

/** Sets the headers a response does not have yet. */
function applySecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  for (const [name, value] of Object.entries(ALWAYS)) {
    if (!reply.hasHeader(name)) reply.header(name, value);
  }
  if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
}

type FrameworkErrorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * Wraps Fastify's `frameworkErrors` handler: router errors (a bad percent-encoding, an
 * over-long parameter) are answered before any hook runs, so they get the headers here.
 */
export function withSecurityHeaders<H extends FrameworkErrorHandler>(handler: H): H {
  return ((error, request, reply) => {
    applySecurityHeaders(request, reply);
    return handler(error, request, reply);
  }) as H;
}
