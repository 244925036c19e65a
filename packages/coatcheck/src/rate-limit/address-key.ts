/**
 * The key one client address counts under in a per-address limit. Exported from
 * `coatcheck/rate-limit`; the manager's `newSessionLimiter` keys by it too.
 *
 * @module
 */
import { isIP } from 'node:net';

/** The eight 16-bit groups of an IPv6 address that `isIP` accepted. */
function ipv6Groups(address: string): number[] {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  // A trailing dotted quad (::ffff:192.0.2.1) is the last two groups.
  if (text.includes('.', lastColon)) {
    const [a = 0, b = 0, c = 0, d = 0] = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((group) => Number.parseInt(group, 16));
}

/**
 * The bucket of a client address: an IPv4 address as it is (also when written IPv4-mapped,
 * `::ffff:192.0.2.1`), an IPv6 address by its /64 prefix (`2001:db8:0:1::/64`).
 *
 * Why /64: a subscriber (a home, a phone, a cloud VM) is routed a whole /64 and may use any of
 * its 2^64 addresses for each request, so keyed by the full address an IPv6 client would get
 * a fresh allowance whenever it liked. Anything that is not an IP address (a missing one
 * included) is its own key, trimmed and lower-cased: it still counts, never skips the limit.
 *
 * @example
 * ```ts
 * import { addressKey } from 'coatcheck/rate-limit'
 * addressKey('2001:db8::1') === addressKey('2001:db8::dead:beef') // true: one /64
 * const verdict = await logins.hit({ address: addressKey(clientIp) })
 * ```
 */
export function addressKey(address: string | null | undefined): string {
  const text = typeof address === 'string' ? address.trim().toLowerCase() : '';
  // A zone (fe80::1%eth0) names the local interface, not the client.
  const bare = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return text;
  const groups = ipv6Groups(bare);
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return `${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}
