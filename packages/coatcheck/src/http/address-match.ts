/**
 * Address lists for proxy trust: IPv4 and IPv6 addresses and CIDR ranges, plus the names
 * `loopback`, `linklocal` and `uniquelocal` (as Express' `trust proxy` spells them).
 *
 * @module
 */
import { isIP } from 'node:net';
import { SessionConfigError } from '../errors.js';

/** One parsed range: the address as a bigint, its family width, and the prefix length. */
interface Range {
  readonly bits: 32 | 128;
  readonly value: bigint;
  readonly prefix: number;
}

const NAMED: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

function ipv4(address: string): bigint {
  return address.split('.').reduce((sum, part) => (sum << 8n) + BigInt(Number(part)), 0n);
}

function ipv6(address: string): bigint {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  // A trailing dotted quad (::ffff:1.2.3.4) is two groups.
  if (text.includes('.', lastColon)) {
    const v4 = ipv4(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((sum, group) => (sum << 16n) + BigInt(parseInt(group, 16)), 0n);
}

/** `address` as a number of its family, or `null` when it is not an IP address. */
function toNumber(address: string): { bits: 32 | 128; value: bigint } | null {
  const family = isIP(address);
  if (family === 4) return { bits: 32, value: ipv4(address) };
  if (family !== 6) return null;
  const value = ipv6(address);
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is that IPv4 address.
  return value >> 32n === 0xffffn ? { bits: 32, value: value & 0xffffffffn } : { bits: 128, value };
}

/** Parses a list of addresses, CIDRs and names. Throws `SessionConfigError`. */
export function parseAddressList(entries: readonly string[]): Range[] {
  const ranges: Range[] = [];
  for (const raw of entries) {
    const entry = String(raw).trim();
    if (entry === '') continue;
    if (NAMED[entry] !== undefined) {
      ranges.push(...parseAddressList(NAMED[entry]));
      continue;
    }
    const [address = '', prefixText] = entry.split('/');
    const parsed = toNumber(address);
    const prefix = prefixText === undefined ? parsed?.bits : Number(prefixText);
    if (parsed === null || prefix === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > parsed.bits) {
      throw new SessionConfigError(`trustProxy: ${JSON.stringify(entry)} is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal.`);
    }
    ranges.push({ bits: parsed.bits, value: parsed.value, prefix });
  }
  return ranges;
}

/** Whether `address` falls in one of `ranges`. */
export function matchAddress(ranges: readonly Range[], address: string): boolean {
  const parsed = toNumber(address);
  if (parsed === null) return false;
  for (const range of ranges) {
    if (range.bits !== parsed.bits) continue;
    const shift = BigInt(range.bits - range.prefix);
    if (parsed.value >> shift === range.value >> shift) return true;
  }
  return false;
}
