/**
 * The `Host` names the shop answers to (`ALLOWED_HOSTS`). (AP-06)
 *
 * DNS rebinding: a page on `evil.example` has its name re-pointed at 127.0.0.1, and the
 * victim's browser then sends that page's requests to the shop on their own machine, as
 * same-origin requests of `evil.example`, which may read the answers. The browser still says
 * `Host: evil.example:3000`, so a server that answers only its own names is out of reach.
 * A request with another `Host` is answered 421 `ERR_HOST_NOT_ALLOWED` in the first hook,
 * before any session is read or created.
 *
 * Default: bound to a loopback address, the shop answers `localhost`, `127.0.0.1` and
 * `[::1]` on its port; bound elsewhere (`0.0.0.0`, a LAN address), it cannot guess its public
 * names and checks nothing until `ALLOWED_HOSTS` lists them.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.js';

/** One allowed `Host`: a name, and a port unless any port will do. */
interface HostEntry {
  readonly name: string;
  readonly port: string | null;
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;
// A name, an IPv4 address or a bracketed IPv6 address, then an optional port.
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::([0-9]{1,5}))?$/i;

/** Whether `host` (the `HOST` setting) is a loopback address. */
function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

function parseEntry(text: string): HostEntry | null {
  const match = HOST.exec(text.trim());
  if (match === null) return null;
  return { name: (match[1] as string).toLowerCase(), port: match[2] ?? null };
}

/**
 * The allow-list from `ALLOWED_HOSTS` (comma-separated `name` or `name:port`; `*` turns the
 * check off), or the loopback default for `host` and `port`. `null` means no check. Throws
 * `RangeError` naming the bad entry.
 */
export function readAllowedHosts(value: string | undefined, host: string, port: number): readonly string[] | null {
  const text = value?.trim() ?? '';
  if (text === '*') return null;
  if (text === '') {
    if (!isLoopback(host)) return null;
    // Port 0 is picked at listen time; any port of the loopback names is then allowed.
    const suffix = port === 0 ? '' : `:${port}`;
    return ['localhost', '127.0.0.1', '[::1]'].map((name) => `${name}${suffix}`);
  }
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  for (const entry of entries) {
    if (parseEntry(entry) === null)
      throw new RangeError(`ALLOWED_HOSTS: ${JSON.stringify(entry)} is not a host name, address or name:port (IPv6 in brackets).`);
  }
  return entries;
}

/** Whether a request's `Host` value is on the list. */
export function createHostCheck(allowed: readonly string[]): (host: string | undefined) => boolean {
  const entries = allowed.map((entry) => {
    const parsed = parseEntry(entry);
    if (parsed === null) throw new RangeError(`allowedHosts: ${JSON.stringify(entry)} is not a host name, address or name:port.`);
    return parsed;
  });
  return (host) => {
    if (host === undefined) return false;
    const request = parseEntry(host);
    if (request === null) return false;
    return entries.some((entry) => entry.name === request.name && (entry.port === null || entry.port === request.port));
  };
}

/** Refuses requests for other hosts on every route, first thing. `null`: no check. */
export function installHostCheck(app: FastifyInstance, allowed: readonly string[] | null): void {
  if (allowed === null) return;
  const isAllowed = createHostCheck(allowed);
  app.addHook('onRequest', async (request) => {
    // request.host is the Host header, or X-Forwarded-Host from a trusted proxy.
    if (!isAllowed(request.host)) {
      throw new HttpError(421, 'ERR_HOST_NOT_ALLOWED', 'This server does not answer for that host name.');
    }
  });
}
