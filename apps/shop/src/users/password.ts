/**
 * Password hashing with scrypt from `node:crypto`.
 *
 * Stored format: `scrypt$N$r$p$salt$hash`, salt and hash in base64url. The parameters travel
 * with each hash: a hash made with older (cheaper) parameters still verifies, and the user
 * store re-hashes it with the current ones at the next successful login. (AP-01)
 *
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { createHashGate, type HashGateOptions } from './hash-gate.js';

/** scrypt cost parameters. */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * Cost of new hashes: N=2^17, r=8, p=1, the OWASP Password Storage Cheat Sheet's minimum for
 * scrypt (128 MiB and a few hundred milliseconds per hash).
 */
export const SCRYPT_PARAMS: ScryptParams = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

const SALT_BYTES = 16;
const KEY_BYTES = 64;
// Upper bounds for parameters read back from the database, so a damaged row cannot make one
// login allocate gigabytes or spin for minutes.
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;
// And together: 128·N·r bytes at most 1 GiB, so the largest stored hash still verifies on a
// small server.
const MAX_MEMORY = 1024 * 1024 * 1024;

function derive(password: string, salt: Buffer, { N, r, p }: ScryptParams, length: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes (128 MiB at the default cost); Node's default cap (32 MiB)
  // would refuse it, so the cap is what these parameters need plus room for the rest.
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 32 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    // Normalised so that the same password typed on different keyboards (composed vs.
    // decomposed accents) hashes to the same key.
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function validParams({ N, r, p }: ScryptParams): boolean {
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  const inRange = powerOfTwo && N <= MAX_N && Number.isInteger(r) && r >= 1 && r <= MAX_R && Number.isInteger(p) && p >= 1 && p <= MAX_P;
  return inRange && 128 * N * r <= MAX_MEMORY;
}

/** Hashes a password with a fresh random salt, without the gate (see {@link createPasswordHasher}). */
export async function hashPassword(password: string, params: ScryptParams = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_BYTES);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^[1-9][0-9]{0,7}$/.test(part) ? Number(part) : NaN)) as [number, number, number];
  if (!validParams({ N, r, p })) return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length < 8 || key.length < 16) return null;
  return { N, r, p, salt, key };
}

/**
 * Checks a password against a stored hash, in constant time with respect to the key, without
 * the gate. An unreadable hash never matches.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** Whether `stored` was made with other parameters than `params` (and should be re-hashed). */
export function needsRehash(stored: string, params: ScryptParams = SCRYPT_PARAMS): boolean {
  const parsed = parseHash(stored);
  return parsed === null || parsed.N !== params.N || parsed.r !== params.r || parsed.p !== params.p;
}

/** Options of {@link createPasswordHasher}. */
export interface PasswordHasherOptions extends HashGateOptions {
  /** Cost of new hashes. Lower it only for tests. @default SCRYPT_PARAMS */
  params?: ScryptParams;
}

/**
 * Hashing and checking under one bound, shared fairly between clients. `client` is who asks:
 * the client address's throttle key (`ClientAddress.keyOf`), so one address's flood waits
 * behind its own hashes and not in front of everyone else's (see hash-gate.ts). Every method
 * may reject with 503 `ERR_PASSWORD_HASHING_BUSY`.
 */
export interface PasswordHasher {
  readonly params: ScryptParams;
  /** A new hash of `password` with {@link PasswordHasher.params}. */
  hash(password: string, client: string): Promise<string>;
  /** Whether `password` matches `stored`. */
  verify(password: string, stored: string, client: string): Promise<boolean>;
  /**
   * Spends the same work as {@link PasswordHasher.verify} and always fails. Called for unknown
   * usernames, so the response time does not tell which usernames exist. (AB-05)
   */
  verifyDummy(password: string, client: string): Promise<false>;
}

/** Creates the hasher the user store uses. Throws `RangeError` for bad options, at start-up. */
export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const params = Object.freeze({ ...(options.params ?? SCRYPT_PARAMS) });
  if (!validParams(params)) throw new RangeError(`scrypt parameters out of range: ${JSON.stringify(params)}.`);
  const gate = createHashGate(options);
  // A well-formed hash nobody knows the password of (random key), at the current cost.
  const dummy = `scrypt$${params.N}$${params.r}$${params.p}$${randomBytes(SALT_BYTES).toString('base64url')}$${randomBytes(KEY_BYTES).toString('base64url')}`;
  return {
    params,
    hash: (password, client) => gate.run(client, () => hashPassword(password, params)),
    verify: (password, stored, client) => gate.run(client, () => verifyPassword(password, stored)),
    verifyDummy: (password, client) => gate.run(client, () => verifyPassword(password, dummy)).then(() => false as const),
  };
}
