/**
 * `coatcheck reencrypt`: seals every live record's data with the current encryption key, so
 * an old key can be dropped from `encryption.keys`. Records sealed with an older key, and
 * records written before encryption was on, are rewritten with a version check; a record the
 * app changed meanwhile was already sealed by the app and is left alone.
 *
 * @module
 */
import { createDataCipher, type DataCipher } from 'coatcheck/store-kit';
import { stringOption, type Command } from '../command.js';
import { CliError, EXIT_CODES, usageError } from '../errors.js';
import { emit } from '../io.js';
import type { OpenedStore } from '../store/open-store.js';
import { withStore } from '../store/open-store.js';
import { readStoreSelection, STORE_HELP, STORE_OPTIONS } from '../store/store-options.js';

const DEFAULT_KEYS_VARIABLE = 'SESSION_ENCRYPTION_KEYS';

/** What `reencrypt` did, or would do with `--dry-run`. */
interface ReencryptResult {
  store: string;
  dryRun: boolean;
  /** The key every record is sealed with afterwards. */
  keyId: string;
  /** Live records seen. */
  records: number;
  alreadyCurrent: number;
  /** Rewritten under the current key (to rewrite, with --dry-run), by where they came from: a key id or `plain`. */
  resealed: Record<string, number>;
  /** Changed or removed by the app while this ran (the app seals with the current key itself). */
  changedMeanwhile: number;
  /** Sealed with a key that is not given: they stay as they are. */
  unreadable: Record<string, number>;
}

function readCipher(variable: string, env: Readonly<Record<string, string | undefined>>): DataCipher {
  const value = env[variable];
  if (value === undefined || value.trim() === '')
    throw usageError(
      `${variable} is not set: give the app's encryption.keys there, comma-separated, the current key first (e.g. ${variable}=newkey,oldkey), or name another variable with --keys-env.`,
    );
  try {
    return createDataCipher(value.split(',').map((key) => key.trim()));
  } catch (error) {
    throw usageError(`${variable}: ${(error as Error).message}`);
  }
}

/** Rewrites record `id` under the current key; `false` when the app changed or removed it meanwhile. */
async function reseal(opened: OpenedStore, cipher: DataCipher, id: string, now: number): Promise<boolean> {
  const record = await opened.store.get(id, now);
  if (record === null) return false;
  if (cipher.keyIdOf(record.data) === cipher.keyId) return false;
  const open = cipher.open(record.id, record.data);
  if (!open.ok) return false;
  const next = { ...record, data: cipher.seal(record.id, open.data), version: record.version + 1 };
  return (await opened.store.update(next, record.version, now)) === 'ok';
}

async function reencrypt(opened: OpenedStore, cipher: DataCipher, dryRun: boolean): Promise<ReencryptResult> {
  const now = Date.now();
  const result: ReencryptResult = {
    store: opened.display,
    dryRun,
    keyId: cipher.keyId,
    records: 0,
    alreadyCurrent: 0,
    resealed: {},
    changedMeanwhile: 0,
    unreadable: {},
  };
  const add = (counts: Record<string, number>, key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  // First the ids to rewrite, then the writes: a store may not take writes while it scans
  // (one SQLite connection), and ids are small enough to hold for millions of sessions.
  const pending: [string, string][] = [];
  for await (const record of opened.scan()) {
    if (record.expiresAt <= now || record.absoluteExpiresAt <= now) continue;
    result.records++;
    const keyId = cipher.keyIdOf(record.data);
    if (keyId === cipher.keyId) result.alreadyCurrent++;
    else if (!cipher.open(record.id, record.data).ok) add(result.unreadable, keyId ?? 'unknown');
    else pending.push([record.id, keyId ?? 'plain']);
  }
  for (const [id, from] of pending) {
    if (dryRun || (await reseal(opened, cipher, id, now))) add(result.resealed, from);
    else result.changedMeanwhile++;
  }
  return result;
}

function render(r: ReencryptResult): string[] {
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([key, n]) => `${n} from ${key === 'plain' ? 'plain text' : `key ${key}`}`)
      .join(', ') || '0';
  const lines = [
    `${r.dryRun ? 'dry run on' : 're-encrypted'} ${r.store}: ${r.records} live record(s), current key ${r.keyId}`,
    `already under the current key: ${r.alreadyCurrent}`,
    `${r.dryRun ? 'to re-encrypt' : 're-encrypted'}: ${list(r.resealed)}`,
  ];
  if (r.changedMeanwhile > 0) lines.push(`changed by the app meanwhile (the app seals them itself): ${r.changedMeanwhile}`);
  if (Object.keys(r.unreadable).length > 0)
    lines.push(`NOT readable with the given keys, left as they are: ${list(r.unreadable)}; add the missing key(s) and run again`);
  return lines;
}

/** `coatcheck reencrypt`. */
export const reencryptCommand: Command = {
  name: 'reencrypt',
  summary: 'seal every session under the current encryption key (--dry-run counts)',
  options: { ...STORE_OPTIONS, 'keys-env': { type: 'string' }, 'dry-run': { type: 'boolean', short: 'n' } },
  help: `Usage: coatcheck reencrypt --store URL [--keys-env NAME] [--dry-run] [--json]

Seals the data of every live session with the current encryption key: records sealed with an
older key, and records written before encryption was on, are rewritten (with a version check:
a session the app changes meanwhile is sealed by the app itself). Run it after putting a new
key first in encryption.keys and deploying; once it reports nothing left under the old key,
drop that key. The keys come from an environment variable, as the app's do: comma-separated,
the current key first (default ${DEFAULT_KEYS_VARIABLE}).

${STORE_HELP}
  --keys-env NAME  the variable holding the keys (default ${DEFAULT_KEYS_VARIABLE})
  --dry-run, -n    count what would be rewritten; change nothing

Exit codes: 0 ok, 1 some records could not be read with the given keys, 2 usage error,
3 store unreachable, 4 store package missing.

Examples:
  ${DEFAULT_KEYS_VARIABLE}=newkey,oldkey coatcheck reencrypt --store sqlite:./sessions.db --dry-run
  coatcheck reencrypt --store redis://127.0.0.1:6379 --prefix shop: --keys-env SHOP_DATA_KEYS --json`,
  async run({ values, positionals, io, json }) {
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}". See: coatcheck reencrypt --help`);
    const cipher = readCipher(stringOption(values, 'keys-env') ?? DEFAULT_KEYS_VARIABLE, io.env);
    const selection = readStoreSelection(values, io);
    const result = await withStore(selection, {}, (opened) => reencrypt(opened, cipher, values['dry-run'] === true));
    emit(io, json, result, render);
    if (Object.keys(result.unreadable).length > 0) {
      if (json) return EXIT_CODES.failure;
      throw new CliError('ERR_CLI_FAILED', 'some sessions are sealed with a key that was not given: see above.');
    }
    return EXIT_CODES.ok;
  },
};
