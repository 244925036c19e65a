/**
 * How many devices one account may be signed in on at once (`MAX_DEVICES`,
 * `MAX_DEVICES_POLICY`): the shop's words for the session library's `maxSessionsPerUser`.
 *
 * @module
 */
import type { SessionLimitOptions } from 'coatcheck';

/** What a sign-in beyond the cap does, as `MAX_DEVICES_POLICY` names it. */
const POLICIES = {
  oldest: 'evictOldest',
  idlest: 'evictIdlest',
  reject: 'reject',
} as const satisfies Record<string, NonNullable<SessionLimitOptions['policy']>>;

/** The shop's cap: ten devices, the one signed in longest ago signed out to make room. */
export const DEFAULT_DEVICE_CAP: SessionLimitOptions = Object.freeze({ max: 10, policy: 'evictOldest' });

// Every sign-in reads the account's live sessions to decide who leaves; past a thousand the
// number is no cap anyone means, and `off` says so plainly.
const MAX_DEVICES_LIMIT = 1000;

/**
 * Reads `MAX_DEVICES` (a number of devices, or `off`) and `MAX_DEVICES_POLICY` (`oldest`,
 * `idlest` or `reject`); unset or empty keeps the default. `null`: no cap. Throws an `Error`
 * whose message names the variable and how to fix it.
 */
export function readDeviceCap(maxText: string | undefined, policyText: string | undefined): SessionLimitOptions | null {
  const max = maxText?.trim().toLowerCase() ?? '';
  const policy = policyText?.trim().toLowerCase() ?? '';
  if (max === 'off') {
    if (policy !== '') throw new Error('MAX_DEVICES_POLICY needs a cap: MAX_DEVICES is off. Unset MAX_DEVICES_POLICY, or set MAX_DEVICES to a number.');
    return null;
  }
  const count = max === '' ? DEFAULT_DEVICE_CAP.max : /^[1-9][0-9]{0,3}$/.test(max) ? Number(max) : NaN;
  if (!(count <= MAX_DEVICES_LIMIT)) {
    throw new Error(
      `MAX_DEVICES must be a number of devices from 1 to ${MAX_DEVICES_LIMIT}, or off; got ${JSON.stringify(maxText)}. Unset it for the default, ${DEFAULT_DEVICE_CAP.max}.`,
    );
  }
  if (policy === '') return Object.freeze({ ...DEFAULT_DEVICE_CAP, max: count });
  if (!Object.hasOwn(POLICIES, policy)) {
    throw new Error(
      `MAX_DEVICES_POLICY must be oldest (sign out the device signed in longest ago), idlest (the one unused the longest) or reject (refuse the sign-in); got ${JSON.stringify(policyText)}.`,
    );
  }
  return Object.freeze({ max: count, policy: POLICIES[policy as keyof typeof POLICIES] });
}

/** "10 per account, the oldest signed out to make room", for the start-up log. */
export function describeDeviceCap(cap: SessionLimitOptions | null): string {
  if (cap === null) return 'no cap (MAX_DEVICES=off)';
  const what = cap.policy === 'reject' ? 'a sign-in beyond it refused' : `the ${cap.policy === 'evictIdlest' ? 'idlest' : 'oldest'} signed out to make room`;
  return `${cap.max} per account, ${what}`;
}
