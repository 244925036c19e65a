/**
 * The access-token signing keys when `TOKEN_KEYS` is not set: an Ed25519 key generated at
 * first start and kept in the data directory (mode 0600), like the session secret, so
 * restarts keep every token valid. Never a hard-coded key.
 *
 * To rotate, edit the file with `rotateKeyFile`/`retireKeys` of `@coatcheck/tokens` (see
 * docs/bearer.md, "Key rotation runbook") and restart, or manage `TOKEN_KEYS` yourself.
 *
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { restrictFile } from './hardening/data-dir.js';
import { generateKeyFile, retireKeys, type TokenKeyFile } from '@coatcheck/tokens';

/** Where the keys came from, for the start-up log. */
type TokenKeySource = 'env' | 'file' | 'generated';

/** Result of {@link resolveTokenKeys}. */
export interface ResolvedTokenKeys {
  readonly keys: TokenKeyFile;
  readonly source: TokenKeySource;
  readonly path: string | null;
}

/** Name of the key file inside the data directory. */
const TOKEN_KEYS_FILE = 'token-keys.json';

function readKeyFile(path: string): TokenKeyFile | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return JSON.parse(text) as TokenKeyFile;
  } catch {
    throw new Error(`${path} is not valid JSON; restore it from a backup, or delete it to generate new keys (every issued token then stops working).`);
  }
}

/**
 * Returns `fromEnv` when given; otherwise the key file in `dataDir`, generating it on first
 * start. Keys whose overlap has passed are dropped. Key contents are checked when the token
 * service imports them.
 */
export async function resolveTokenKeys(fromEnv: TokenKeyFile | null, dataDir: string, now = Date.now()): Promise<ResolvedTokenKeys> {
  if (fromEnv !== null) return { keys: retireKeys(fromEnv, now), source: 'env', path: null };
  const path = join(dataDir, TOKEN_KEYS_FILE);
  const existing = readKeyFile(path);
  if (existing !== null) {
    // A file from an older version or copied by hand may be world-readable. (AP-05)
    restrictFile(path);
    return { keys: retireKeys(existing, now), source: 'file', path };
  }
  const keys = await generateKeyFile('EdDSA', now);
  try {
    // 'wx': when two processes start at once, the first file wins and both use it.
    writeFileSync(path, `${JSON.stringify(keys, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = readKeyFile(path);
    if (winner === null) throw new Error(`${path} vanished while starting; start again.`);
    return { keys: retireKeys(winner, now), source: 'file', path };
  }
  return { keys, source: 'generated', path };
}
