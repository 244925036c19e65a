/**
 * Per-route settings of the plugin, read from a route's `config`.
 *
 * `config: { session: false }` marks a route that reads no session at all: the plugin reads
 * neither the cookie nor an `Authorization: Bearer` header there, runs no CSRF check and
 * commits nothing, and `request.session` stays unset. Token endpoints need exactly this: a
 * client calls `/token/refresh` precisely when its access token has expired, and often sends
 * that expired token along out of habit; with the plugin at the root, verifying it would
 * answer 401 before the route could ever refresh. The refresh and revoke routes authenticate
 * with the token in their body instead, and no browser attaches that on its own, so there is
 * nothing for CSRF protection to guard.
 *
 * @module
 */
import type { FastifyContextConfig } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `false`: coatcheck reads no session on this route (no cookie, no bearer token, no CSRF
     * check, nothing committed; `request.session` is unset). For token endpoints, health
     * checks and public keys.
     */
    session?: boolean;
  }
}

/** Whether a route's `config` opts out of sessions with `config: { session: false }`. */
export function readsNoSession(config: FastifyContextConfig | undefined): boolean {
  return config?.session === false;
}
