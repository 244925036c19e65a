/**
 * Store URLs: which store a command talks to, and where. One parser, so every command
 * accepts the same URLs and an unknown scheme always lists the supported ones.
 *
 * @module
 */
import { isAbsolute, resolve } from 'node:path';
import { usageError } from '../errors.js';

/** A parsed store URL. */
export type StoreSpec =
  | { readonly kind: 'sqlite'; readonly filename: string; readonly display: string }
  | { readonly kind: 'redis'; readonly mode: 'standalone'; readonly url: string; readonly display: string }
  | { readonly kind: 'redis'; readonly mode: 'cluster'; readonly urls: readonly string[]; readonly display: string }
  | {
      readonly kind: 'redis';
      readonly mode: 'sentinel';
      readonly masterName: string;
      readonly sentinels: readonly { host: string; port: number }[];
      readonly username?: string;
      readonly password?: string;
      readonly display: string;
    }
  | { readonly kind: 'postgres'; readonly url: string; readonly display: string };

/** The URL forms the CLI understands, for messages and `--help`. */
export const SUPPORTED_STORE_URLS = [
  'sqlite:./sessions.db or sqlite:/absolute/path.db',
  'redis://[user:password@]host:6379[/db] (rediss:// for TLS)',
  'redis+cluster://host:7000,host:7001 (rediss+cluster:// for TLS; or redis:// with --cluster)',
  'redis+sentinel://[user:password@]host:26379,host:26380/mastername',
  'postgres://user:password@host:5432/database (or postgresql://)',
] as const;

/** A URL without its password, for output. */
export function redact(url: string): string {
  return url.replace(/^([a-z+]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

function hosts(list: string, scheme: string, fallbackPort: number): { host: string; port: number }[] {
  const entries = list.split(',').filter((entry) => entry.length > 0);
  if (entries.length === 0) throw usageError(`${scheme} needs at least one host:port, e.g. ${scheme}127.0.0.1:${fallbackPort}`);
  return entries.map((entry) => {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    const port = Number(match?.[2] ?? fallbackPort);
    if (!match || !Number.isInteger(port) || port < 1 || port > 65535) throw usageError(`"${entry}" in the store URL is not host:port.`);
    return { host: match[1] as string, port };
  });
}

// user:password@ before a list of hosts; URL() cannot parse comma-separated hosts.
function splitCredentials(rest: string): { username?: string; password?: string; hostPart: string } {
  const at = rest.lastIndexOf('@');
  if (at === -1) return { hostPart: rest };
  const [user = '', ...pass] = rest.slice(0, at).split(':');
  return {
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(pass.length > 0 ? { password: decodeURIComponent(pass.join(':')) } : {}),
    hostPart: rest.slice(at + 1),
  };
}

/**
 * Parses a store URL; `cluster` treats a `redis://` or `rediss://` URL (a comma-separated
 * host list is allowed) as Redis Cluster seed nodes. Throws a usage error (exit 2) listing
 * the supported forms for anything else.
 */
export function parseStoreUrl(raw: string, options: { cluster?: boolean; cwd?: string } = {}): StoreSpec {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase();
  const cluster = options.cluster === true;
  if (scheme === 'sqlite') {
    // sqlite:./file, sqlite:/abs, and the URL-ish sqlite:///abs all name a file.
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '' || path === ':memory:')
      throw usageError('sqlite: needs a database file, e.g. sqlite:./sessions.db (an in-memory database would be empty).');
    const filename = isAbsolute(path) ? path : resolve(options.cwd ?? process.cwd(), path);
    if (cluster) throw usageError('--cluster applies to redis:// URLs only.');
    return { kind: 'sqlite', filename, display: `sqlite:${filename}` };
  }
  if ((scheme === 'redis' || scheme === 'rediss') && !cluster) {
    if (raw.includes(',')) throw usageError(`a ${scheme}:// URL names one server; for a Cluster use ${scheme}+cluster://host:port,host:port or --cluster.`);
    return { kind: 'redis', mode: 'standalone', url: raw, display: redact(raw) };
  }
  if (scheme === 'redis' || scheme === 'rediss' || scheme === 'redis+cluster' || scheme === 'rediss+cluster') {
    const tls = scheme.startsWith('rediss');
    const { username, password, hostPart } = splitCredentials(raw.slice(scheme.length + 3).replace(/\/.*$/, ''));
    const auth = username !== undefined || password !== undefined ? `${encodeURIComponent(username ?? '')}:${encodeURIComponent(password ?? '')}@` : '';
    const urls = hosts(hostPart, `${scheme}://`, 6379).map(({ host, port }) => `${tls ? 'rediss' : 'redis'}://${auth}${host}:${port}`);
    return { kind: 'redis', mode: 'cluster', urls, display: redact(raw) };
  }
  if (scheme === 'redis+sentinel') {
    if (cluster) throw usageError('--cluster applies to redis:// URLs only.');
    const rest = raw.slice(scheme.length + 3);
    const slash = rest.indexOf('/');
    const masterName = slash === -1 ? '' : decodeURIComponent(rest.slice(slash + 1));
    if (!masterName) throw usageError('redis+sentinel:// needs the master name after the hosts, e.g. redis+sentinel://127.0.0.1:26379/mymaster');
    const { username, password, hostPart } = splitCredentials(rest.slice(0, slash));
    return {
      kind: 'redis',
      mode: 'sentinel',
      masterName,
      sentinels: hosts(hostPart, 'redis+sentinel://', 26379),
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      display: redact(raw),
    };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    if (cluster) throw usageError('--cluster applies to redis:// URLs only.');
    return { kind: 'postgres', url: raw, display: redact(raw) };
  }
  throw usageError(`unsupported store URL "${redact(raw)}". Use one of:\n  ${SUPPORTED_STORE_URLS.join('\n  ')}`);
}
