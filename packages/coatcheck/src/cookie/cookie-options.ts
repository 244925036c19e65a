/**
 * Cookie configuration: validation at start-up, and the two cookie modes (secure, and plain
 * HTTP for local development).
 *
 * @module
 */
import { SessionConfigError } from '../errors.js';
import type { CookieAttributes } from './serialize-cookie.js';

/** Cookie options of the session manager. */
export interface CookieOptions {
  /**
   * Cookie name. A `__Host-` name requires `Secure`, `Path=/` and no `Domain`; a `__Secure-`
   * name requires `Secure`.
   * @default '__Host-sid'
   */
  name?: string;
  /** @default '/' */
  path?: string;
  /** Domain attribute; leave unset so the cookie stays on one host. */
  domain?: string;
  /**
   * `true`: always `Secure`. `'auto'`: `Secure` (and the configured name) on HTTPS requests;
   * on plain-HTTP requests outside production, a development cookie without `Secure` and with
   * the prefix stripped, so `http://localhost` works without configuration.
   * `false` is only allowed for unprefixed names and never with `SameSite=None`.
   * @default 'auto'
   */
  secure?: boolean | 'auto';
  /** @default 'lax' */
  sameSite?: 'lax' | 'strict' | 'none';
  /** @default true */
  httpOnly?: boolean;
  /**
   * Adds `Partitioned` (CHIPS): for an app embedded in an iframe on other sites. The browser
   * keeps one cookie per top-level site, so the embedded app has a session on every site that
   * embeds it, none shared with another site or with the app opened on its own. Browsers that
   * block third-party cookies still accept partitioned ones.
   *
   * Requires `secure: true` (browsers reject `Partitioned` without `Secure`) and
   * `sameSite: 'none'`: a `Lax` or `Strict` cookie is never sent to a cross-site iframe, so
   * partitioning it would change nothing.
   * @default false
   */
  partitioned?: boolean;
}

/** One way of writing the cookie: its name and attributes. */
export interface CookieMode {
  readonly name: string;
  readonly attributes: CookieAttributes;
}

/** Resolved cookie configuration. */
export interface ResolvedCookie {
  readonly secure: CookieMode;
  /** Used for plain-HTTP requests when `secure` is `'auto'` and not in production. */
  readonly insecure: CookieMode | null;
}

// RFC 6265 token characters; anything else could inject attributes. (CK-14, CVE-2024-47764)
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PATH = /^\/[\x21-\x3a\x3c-\x7e]*$/;
const DOMAIN = /^\.?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

const fail = (message: string): never => {
  throw new SessionConfigError(`cookie: ${message}`);
};

/** Validates cookie options and derives the cookie modes. Throws `SessionConfigError`. */
export function resolveCookieOptions(options: CookieOptions = {}, production: boolean): ResolvedCookie {
  const { name = '__Host-sid', path = '/', domain, secure = 'auto', sameSite = 'lax', httpOnly = true, partitioned = false } = options;
  if (typeof name !== 'string' || !TOKEN.test(name))
    fail(`name ${JSON.stringify(name)} may only contain RFC 6265 token characters (no ; , = space or control characters).`);
  if (typeof path !== 'string' || !PATH.test(path)) fail(`path ${JSON.stringify(path)} must start with "/" and contain no ; or control characters.`);
  if (domain !== undefined && (typeof domain !== 'string' || !DOMAIN.test(domain))) fail(`domain ${JSON.stringify(domain)} is not a valid host name.`);
  if (secure !== true && secure !== false && secure !== 'auto') fail('secure must be true, false or "auto".');
  if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none') fail('sameSite must be "lax", "strict" or "none".');
  if (typeof httpOnly !== 'boolean') fail('httpOnly must be a boolean.');
  if (typeof partitioned !== 'boolean') fail('partitioned must be a boolean.');

  const hostPrefix = name.startsWith('__Host-');
  const securePrefix = name.startsWith('__Secure-');
  // Browsers silently drop cookies that break these rules; fail loudly instead. (CK-04)
  if (hostPrefix && domain !== undefined) fail(`a "__Host-" cookie cannot have a domain; remove domain or rename the cookie (e.g. "__Secure-sid").`);
  if (hostPrefix && path !== '/') fail(`a "__Host-" cookie must have path "/"; remove path or rename the cookie (e.g. "__Secure-sid").`);
  if ((hostPrefix || securePrefix) && secure === false)
    fail(`a "${hostPrefix ? '__Host-' : '__Secure-'}" cookie must be Secure; set secure to true or "auto", or drop the prefix.`);
  if (sameSite === 'none' && secure !== true) fail('sameSite "none" requires secure: true (browsers reject SameSite=None without Secure).');
  // Browsers require Secure; SameSite=None they only recommend, but a partitioned Lax or Strict
  // cookie never reaches the cross-site iframe it exists for: a silent no-op, so refuse it.
  if (partitioned && (secure !== true || sameSite !== 'none'))
    fail(
      'partitioned requires secure: true and sameSite: "none" (browsers reject Partitioned without Secure, and only a SameSite=None cookie reaches a cross-site iframe).',
    );

  const label = sameSite === 'lax' ? 'Lax' : sameSite === 'strict' ? 'Strict' : 'None';
  const base = { path, domain, httpOnly, sameSite: label, ...(partitioned ? { partitioned } : {}) } as const;
  const secureMode: CookieMode = { name, attributes: Object.freeze({ ...base, secure: secure !== false }) };
  const stripped = name.replace(/^__(Host|Secure)-/, '');
  const insecure: CookieMode | null = secure === 'auto' && !production ? { name: stripped, attributes: Object.freeze({ ...base, secure: false }) } : null;
  return Object.freeze({ secure: Object.freeze(secureMode), insecure: insecure && Object.freeze(insecure) });
}
