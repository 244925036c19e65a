/**
 * The per-user view: a user's sessions as a device list, and revocation.
 *
 * @module
 */
import type { DeviceInfo, SessionRecord } from '../store/types.js';

/** One entry of a user's device list. */
export interface DeviceSession {
  /** Opaque handle of the session (the ticket's public id; useless as a cookie). */
  readonly id: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
  /** Remember-me session. */
  readonly persistent: boolean;
  /** A short label such as "Firefox on Linux". */
  readonly label: string;
  readonly userAgent: string | null;
  readonly ip: string | null;
  /** `true` for the session that asked. */
  readonly current: boolean;
}

const MAX_USER_AGENT = 512;

/**
 * Captures device metadata, bounded and stripped of control characters so a hostile
 * User-Agent cannot bloat the store or inject into logs. (AB-10)
 */
export function captureDevice(userAgent: string | null | undefined, ip: string | null | undefined): DeviceInfo {
  const clean = (value: string | null | undefined, max: number) =>
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    typeof value === 'string' && value.length > 0 ? value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max) : null;
  return { userAgent: clean(userAgent, MAX_USER_AGENT), ip: clean(ip, 64) };
}

const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/Edg(?:e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/^curl\//, 'curl'],
  [/node|undici/i, 'Node.js'],
];
const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/**
 * A short human label for a User-Agent: "Chrome on macOS", "Unknown device". The device list
 * labels its sessions with it; a history entry's `userAgent` gets the same label from it.
 * Exported from `coatcheck`.
 *
 * @example
 * ```ts
 * const signIn = entries.find((entry) => entry.type === 'created')
 * labelDevice(signIn?.userAgent ?? null) // 'Firefox on Linux'
 * ```
 */
export function labelDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? 'Unknown device';
}

/** Maps stored records to the device list. */
export function toDeviceSessions(records: readonly SessionRecord[], currentId: string | null): DeviceSession[] {
  return records.map((record) => ({
    id: record.id,
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    expiresAt: record.expiresAt,
    persistent: record.persistent,
    label: labelDevice(record.device.userAgent),
    userAgent: record.device.userAgent,
    ip: record.device.ip,
    current: record.id === currentId,
  }));
}
