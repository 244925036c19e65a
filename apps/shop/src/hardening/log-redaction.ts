/**
 * Logs that never hold a credential. (LC-26)
 *
 * Fastify logs every request's URL, and a client that puts a token in the query string
 * (`?refresh_token=…`, `?access_token=…`) is refused, but only after that line is written;
 * log files live longer and travel further than tokens should. So request lines show query
 * values of credential-like names as `[redacted]` (the names stay, to see what a client
 * sent), and headers are never logged: `Authorization` and `Cookie` carry the credentials
 * themselves. The pino `redact` paths catch a handler that logs a request or its headers
 * anyway.
 *
 * @module
 */
import type { FastifyServerOptions } from 'fastify';

/** What replaces a value. */
const REDACTED = '[redacted]';

// Names that are credentials in this shop, its seed tutorials or common APIs: matched inside
// the name (`refresh_token`, `x_session`, `csrfToken`), or exactly for short ones.
const CREDENTIAL_PART = /token|ticket|secret|passw|session|auth|bearer|jwt|cookie|csrf|api_?key|signature/i;
const CREDENTIAL_NAME = new Set(['sid', 'code', 'key', 'sig', 'otp', 'pin']);

function isCredentialName(raw: string): boolean {
  let name = raw;
  try {
    name = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: judge the raw text.
  }
  return CREDENTIAL_PART.test(name) || CREDENTIAL_NAME.has(name.trim().toLowerCase());
}

/** `url` with the values of credential-like query parameters replaced by {@link REDACTED}. */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const hash = url.indexOf('#', mark);
  const query = url.slice(mark + 1, hash === -1 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      return equals !== -1 && isCredentialName(name) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  // A fragment never reaches a server; anything after '#' is dropped rather than judged.
  return `${url.slice(0, mark)}?${redacted}`;
}

interface LoggedRequest {
  method: string;
  url: string;
  hostname?: string;
  ip?: string;
  socket?: { remoteAddress?: string; remotePort?: number };
}

/** What a request line shows: no headers, no credential values. */
function serializeRequest(request: LoggedRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url),
    hostname: request.hostname,
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
  };
}

/** Paths pino censors wherever a handler logs a request, a reply or headers. */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
];

/**
 * Fastify logger options with the redaction above; `false` stays off. Pass options (level,
 * stream), not a logger instance.
 */
export function redactingLogger(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === false || logger === undefined) return false;
  const options = logger === true ? {} : logger;
  return {
    ...options,
    serializers: { ...options.serializers, req: serializeRequest as never },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
  };
}
