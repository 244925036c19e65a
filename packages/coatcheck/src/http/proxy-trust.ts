/**
 * Which proxy headers to believe: ONE rule for `X-Forwarded-Proto` / `X-Forwarded-For` and
 * RFC 7239 `Forwarded`, for every adapter and for WebSocket handshakes.
 *
 * A header is only as trustworthy as whoever wrote it. Walking from the connection's peer
 * outwards (the peer, then the `for` addresses right to left), each hop the configuration
 * trusts adds one; the scheme is the one the outermost trusted hop recorded (each proxy
 * appends its own, so that is entry `length - trusted`, or the first when a proxy overwrote
 * the list), and the client address is the first untrusted one. An untrusted peer's headers
 * are ignored altogether. `Forwarded`, when present, is used instead of the `X-Forwarded-*`
 * pair, never mixed with it.
 *
 * @module
 */
import { SessionConfigError } from '../errors.js';
import { matchAddress, parseAddressList } from './address-match.js';

/**
 * Which hops in front of the server are yours:
 * - `false` / `0` (default): none; forwarded headers are ignored;
 * - a number: that many hops nearest the server (e.g. `1` behind one load balancer);
 * - addresses and CIDRs (an array or a comma-separated string), plus `'loopback'`,
 *   `'linklocal'` and `'uniquelocal'`: hops whose address is listed;
 * - a function `(address, hop) => boolean` (Express' compiled `trust proxy fn`);
 * - `true`: every hop (only when the server is reachable through your proxy alone).
 */
export type TrustProxy = boolean | number | string | readonly string[] | ((address: string, hop: number) => boolean);

/** How a request arrived, as far as the configuration lets us know. */
export interface ForwardedView {
  /** HTTPS between the client and the first hop we trust (or the server itself). */
  readonly secure: boolean;
  /** The client's address: the first untrusted hop. */
  readonly ip: string | null;
  /** A plain-HTTP request carrying an HTTPS claim we did not believe (a TLS proxy we do not trust). */
  readonly untrustedHttps: boolean;
}

/** What the rule reads of a request. */
export interface ForwardedInput {
  readonly tls: boolean;
  readonly peer: string | null | undefined;
  header(name: string): string | undefined;
}

/**
 * The compiled rule. `claims: false` skips looking for an HTTPS claim we do not believe
 * (`untrustedHttps` is then `false`): once its warning was given, nobody needs it.
 */
export type ProxyTrust = (request: ForwardedInput, claims?: boolean) => ForwardedView;

type Predicate = (address: string, hop: number) => boolean;

function compilePredicate(option: TrustProxy | undefined): Predicate | null {
  if (option === undefined || option === false || option === 0) return null;
  if (option === true) return () => true;
  if (typeof option === 'function') return option;
  if (typeof option === 'number') {
    if (!Number.isInteger(option) || option < 0) throw new SessionConfigError(`trustProxy: a hop count must be a whole number ≥ 0; got ${option}.`);
    return (_address, hop) => hop < option;
  }
  if (typeof option === 'string' || Array.isArray(option)) {
    const ranges = parseAddressList(typeof option === 'string' ? option.split(',') : (option as readonly string[]));
    return (address) => matchAddress(ranges, address);
  }
  throw new SessionConfigError('trustProxy must be false, a hop count, a list of addresses/CIDRs, a function or true.');
}

interface Forwarded {
  readonly protos: readonly string[];
  readonly fors: readonly string[];
}

const EMPTY: readonly string[] = [];

/** Strips quotes, `[...]` and a port from a `for=` node (RFC 7239 §6). */
function forNode(value: string): string {
  let node = value.trim();
  if (node.startsWith('"')) node = node.slice(1, -1);
  if (node.startsWith('[')) return node.slice(1, node.indexOf(']')).toLowerCase();
  const colon = node.indexOf(':');
  return (colon !== -1 && colon === node.lastIndexOf(':') ? node.slice(0, colon) : node).toLowerCase();
}

function listOf(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(',').map((part) => part.trim().toLowerCase());
}

/** The hops' records: `Forwarded` if present, else `X-Forwarded-Proto` / `X-Forwarded-For`. */
function readForwarded(request: ForwardedInput): Forwarded {
  const forwarded = request.header('forwarded');
  if (forwarded !== undefined) {
    const protos: string[] = [];
    const fors: string[] = [];
    for (const element of forwarded.split(',')) {
      let proto = '';
      let node = 'unknown';
      for (const pair of element.split(';')) {
        const eq = pair.indexOf('=');
        const key = pair.slice(0, eq).trim().toLowerCase();
        if (key === 'proto')
          proto = pair
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, '')
            .toLowerCase();
        else if (key === 'for') node = forNode(pair.slice(eq + 1));
      }
      protos.push(proto);
      fors.push(node);
    }
    return { protos, fors };
  }
  const proto = request.header('x-forwarded-proto');
  const xff = request.header('x-forwarded-for');
  return { protos: proto === undefined ? EMPTY : listOf(proto), fors: xff === undefined ? EMPTY : listOf(xff) };
}

/** Whether the request carries any HTTPS claim, trusted or not (cheap: no parsing when absent). */
function claimsHttps(request: ForwardedInput): boolean {
  const proto = request.header('x-forwarded-proto');
  if (proto !== undefined && /(^|,)\s*https\s*(,|$)/i.test(proto)) return true;
  const forwarded = request.header('forwarded');
  return forwarded !== undefined && /proto="?https"?\s*(;|,|$)/i.test(forwarded);
}

function normalizePeer(peer: string | null | undefined): string {
  if (typeof peer !== 'string') return '';
  const lower = peer.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

/** Compiles `trustProxy` into the rule. Throws `SessionConfigError` for a bad option. */
export function createProxyTrust(option?: TrustProxy): ProxyTrust {
  const trust = compilePredicate(option);
  if (trust === null) {
    // The common case without a proxy: header lookups only for the insecure-cookie guard.
    return (request, claims = true) => ({ secure: request.tls, ip: request.peer ?? null, untrustedHttps: claims && !request.tls && claimsHttps(request) });
  }
  return (request, claims = true) => {
    const peer = normalizePeer(request.peer);
    if (!trust(peer, 0)) return { secure: request.tls, ip: request.peer ?? null, untrustedHttps: claims && !request.tls && claimsHttps(request) };
    const { protos, fors } = readForwarded(request);
    // Hop 0 is the peer; hop n is the n-th `for` address counted from the right.
    let trusted = 1;
    while (trusted <= fors.length && trust(fors[fors.length - trusted] as string, trusted)) trusted++;
    const ip = trusted <= fors.length ? (fors[fors.length - trusted] as string) : (fors[0] ?? peer);
    if (request.tls || protos.length === 0) return { secure: request.tls, ip: ip || null, untrustedHttps: false };
    const proto = protos[Math.max(0, protos.length - trusted)];
    return { secure: proto === 'https', ip: ip || null, untrustedHttps: false };
  };
}
