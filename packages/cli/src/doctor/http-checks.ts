/**
 * The app checks of `doctor --url`: HTTPS, HSTS, `X-Content-Type-Options`, and the session
 * cookie's attributes. Internal.
 *
 * @module
 */
import { fail, ok, warn, type Finding } from './finding.js';

// Six months: the least HSTS preload lists accept is a year, browsers honour anything.
const MIN_HSTS_SECONDS = 15_552_000;
const PREFERRED = ['__Host-sid', '__Secure-sid', 'sid'];

interface ParsedCookie {
  name: string;
  attributes: Map<string, string>;
}

function parseSetCookie(header: string): ParsedCookie {
  const [pair = '', ...rest] = header.split(';');
  const name = pair.split('=')[0]?.trim() ?? '';
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const [key = '', ...value] = part.split('=');
    attributes.set(key.trim().toLowerCase(), value.join('=').trim());
  }
  return { name, attributes };
}

function isLocal(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
}

/** Checks the cookie `name` (or the likeliest session cookie) among `setCookies`. */
function checkCookie(setCookies: readonly string[], name: string | undefined, https: boolean): Finding[] {
  const cookies = setCookies.map(parseSetCookie);
  const cookie =
    name !== undefined ? cookies.find((c) => c.name === name) : (PREFERRED.map((p) => cookies.find((c) => c.name === p)).find(Boolean) ?? cookies[0]);
  if (!cookie) {
    return [
      warn(
        'http.cookie',
        name ? `the response sets no cookie named ${name}` : 'the response sets no cookie',
        'point --url at a page that starts a session (a login, or an endpoint that writes the session) or name it with --cookie',
      ),
    ];
  }
  const findings: Finding[] = [];
  const label = `cookie ${cookie.name}`;
  const { attributes } = cookie;
  if (attributes.has('secure')) findings.push(ok('http.cookie.secure', `${label} is Secure`));
  else
    findings.push(
      https
        ? fail(
            'http.cookie.secure',
            `${label} is not Secure although the app answered over HTTPS: it is sent over plain HTTP too`,
            // The usual cause: TLS ends at a proxy, the app sees plain HTTP and (secure: "auto")
            // sets the development cookie.
            'behind a TLS-terminating proxy, make the app trust it (trustProxy: its address or hop count) so X-Forwarded-Proto: https counts, or pin the cookie option secure: true',
          )
        : warn(
            'http.cookie.secure',
            `${label} is not Secure: it is sent over plain HTTP too`,
            'serve over HTTPS and leave the cookie option secure at "auto" or true',
          ),
    );
  if (attributes.has('httponly')) findings.push(ok('http.cookie.httponly', `${label} is HttpOnly`));
  else
    findings.push(
      fail('http.cookie.httponly', `${label} is not HttpOnly: a script injected into a page can read it`, 'leave the cookie option httpOnly at true'),
    );
  if (cookie.name.startsWith('__Host-'))
    findings.push(ok('http.cookie.prefix', `${label} has the __Host- prefix (Secure, Path=/, no Domain: no subdomain can set or overwrite it)`));
  else
    findings.push(
      warn(
        'http.cookie.prefix',
        `${label} has no __Host- prefix: a sibling subdomain can plant a cookie of the same name`,
        'use the default name __Host-sid (needs HTTPS, path "/", no domain)',
      ),
    );
  const sameSite = attributes.get('samesite')?.toLowerCase();
  if (sameSite === 'lax' || sameSite === 'strict') findings.push(ok('http.cookie.samesite', `${label} is SameSite=${sameSite === 'lax' ? 'Lax' : 'Strict'}`));
  else if (sameSite === 'none')
    findings.push(
      warn(
        'http.cookie.samesite',
        `${label} is SameSite=None: sent on cross-site requests, CSRF protection carries it all`,
        'use sameSite "lax" unless the app is embedded cross-site',
      ),
    );
  else
    findings.push(
      warn('http.cookie.samesite', `${label} has no SameSite attribute: browsers differ in what they assume`, 'set sameSite to "lax" (the default)'),
    );
  return findings;
}

/** Fetches `target` once (no redirects followed) and checks the response. */
export async function checkApp(target: string, cookieName: string | undefined, timeoutMs: number): Promise<{ findings: Finding[]; reached: boolean }> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { findings: [fail('http', `--url ${target} is not a URL`, 'pass the full address, e.g. --url https://shop.example/login')], reached: false };
  }
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as Error).cause instanceof Error ? `: ${((error as Error).cause as Error).message}` : '';
    return {
      findings: [
        fail(
          'http',
          `could not fetch ${url.href} (${(error as Error).message}${cause})`,
          'check the address and that the app is running and reachable from here',
        ),
      ],
      reached: false,
    };
  }
  await response.body?.cancel();
  const https = url.protocol === 'https:';
  const findings: Finding[] = [];
  if (https) findings.push(ok('http.https', `${url.origin} is served over HTTPS`));
  else if (isLocal(url))
    findings.push(warn('http.https', `${url.origin} is plain HTTP (fine on localhost, not in production)`, 'serve the app over HTTPS in production'));
  else
    findings.push(
      fail(
        'http.https',
        `${url.origin} is plain HTTP: cookies and tokens cross the network in clear`,
        'serve the app over HTTPS (terminate TLS at the proxy) and redirect HTTP to it',
      ),
    );
  const hsts = response.headers.get('strict-transport-security');
  const maxAge = Number(/max-age=(\d+)/i.exec(hsts ?? '')?.[1] ?? Number.NaN);
  if (!https) findings.push(warn('http.hsts', 'HSTS is not checked over plain HTTP (browsers ignore it there)', 'check again with the https:// address'));
  else if (hsts === null)
    findings.push(
      fail(
        'http.hsts',
        'no Strict-Transport-Security header: a first visit over http:// can be intercepted',
        'send Strict-Transport-Security: max-age=31536000; includeSubDomains',
      ),
    );
  else if (!(maxAge >= MIN_HSTS_SECONDS))
    findings.push(warn('http.hsts', `Strict-Transport-Security max-age is ${Number.isNaN(maxAge) ? 'missing' : maxAge} s`, 'use max-age=31536000 (a year)'));
  else findings.push(ok('http.hsts', `Strict-Transport-Security: ${hsts}`));
  const nosniff = response.headers.get('x-content-type-options');
  if (nosniff?.toLowerCase() === 'nosniff') findings.push(ok('http.nosniff', 'X-Content-Type-Options: nosniff'));
  else
    findings.push(
      warn(
        'http.nosniff',
        'no X-Content-Type-Options: nosniff header: browsers may run an upload or JSON answer as script',
        'send X-Content-Type-Options: nosniff on every response',
      ),
    );
  findings.push(...checkCookie(response.headers.getSetCookie(), cookieName, https));
  return { findings, reached: true };
}
