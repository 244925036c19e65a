/**
 * The session signing secret when `SESSION_SECRET` is not set, and the key that encrypts
 * session data at rest when `SESSION_ENCRYPTION_KEYS` is not: each generated once and kept in
 * the data directory, so restarts keep everyone logged in and every session readable. Never a
 * hard-coded default.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { restrictFile } from './hardening/data-dir.js';

/** Where the secrets came from, for the start-up log. */
type SecretSource = 'env' | 'file' | 'generated';

/** Result of {@link resolveSecrets}. */
export interface ResolvedSecrets {
  readonly secrets: readonly string[];
  readonly source: SecretSource;
  /** The secret file, when one was read or written. */
  readonly path: string | null;
}

/** Name of the secret file inside the data directory. */
const SECRET_FILE = 'session-secret';
/** Name of the encryption key file, beside it. */
const ENCRYPTION_KEY_FILE = 'session-encryption-key';

function readSecretFile(path: string): string | null {
  try {
    const secret = readFileSync(path, 'utf8').trim();
    return secret.length > 0 ? secret : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Returns `fromEnv` when given; otherwise the secret stored in `dataDir`, generating it
 * (32 random bytes, file mode 0600) on first start.
 */
export function resolveSecrets(fromEnv: readonly string[] | null, dataDir: string, file = SECRET_FILE): ResolvedSecrets {
  if (fromEnv !== null) return { secrets: fromEnv, source: 'env', path: null };
  const path = join(dataDir, file);
  const existing = readSecretFile(path);
  if (existing !== null) {
    // A file from an older version or copied by hand may be world-readable. (AP-05)
    restrictFile(path);
    return { secrets: [existing], source: 'file', path };
  }
  const secret = randomBytes(32).toString('base64url');
  try {
    // 'wx' fails if the file appeared meanwhile (two processes starting at once); then the
    // other process's secret wins and both use it.
    writeFileSync(path, `${secret}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = readSecretFile(path);
    if (winner === null) throw new Error(`${path} exists but is empty; delete it or set SESSION_SECRET.`);
    return { secrets: [winner], source: 'file', path };
  }
  return { secrets: [secret], source: 'generated', path };
}

/**
 * The keys that encrypt session data at rest: `fromEnv` when given, none when it is `'off'`,
 * else a key generated once beside the session secret (same rules as {@link resolveSecrets}).
 */
export function resolveEncryptionKeys(fromEnv: readonly string[] | null | 'off', dataDir: string): ResolvedSecrets | null {
  if (fromEnv === 'off') return null;
  return resolveSecrets(fromEnv, dataDir, ENCRYPTION_KEY_FILE);
}
