/**
 * The insecure-cookie guard: a plain-HTTP request that says a TLS proxy is in front
 * (`X-Forwarded-Proto: https`, `Forwarded: proto=https`) from a hop we do not trust means the
 * app is behind HTTPS but cannot tell. Its cookie then goes out without `Secure` (outside
 * production) and same-origin checks compare against `http://`. Warned once, with the fix.
 *
 * @module
 */
import type { Logger } from '../manager/options.js';
import { WARNINGS } from '../warnings.js';

/** The warning's code (stable; from the registry of `COATCHECK_W…` codes). */
export const INSECURE_COOKIE_WARNING = WARNINGS.INSECURE_COOKIE_BEHIND_PROXY.code;

/** Logs the warning; returns `true` (warned). */
export function warnInsecureCookie(logger: Logger): boolean {
  logger.warn(
    `${INSECURE_COOKIE_WARNING} coatcheck: a plain-HTTP request says it came through an HTTPS proxy (X-Forwarded-Proto or Forwarded), but that proxy is not trusted, so the request counts as plain HTTP: its session cookie is not Secure and its origin is http://. ` +
      "Behind your own TLS proxy, set the adapter's trustProxy option (a hop count such as 1, or the proxy addresses/CIDRs). " +
      'If nobody should send that header, pin cookie: { secure: true } in createSessionManager() so the cookie is Secure whatever the request says.',
    { code: INSECURE_COOKIE_WARNING },
  );
  return true;
}
