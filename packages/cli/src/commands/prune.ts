/**
 * `coatcheck prune`: removes expired records (and, on Redis, stale user-index entries),
 * with the store's own prune and index clean-up; `--dry-run` only counts.
 *
 * @module
 */
import type { Command } from '../command.js';
import { EXIT_CODES, usageError } from '../errors.js';
import { emit } from '../io.js';
import type { OpenedStore } from '../store/open-store.js';
import { withStore } from '../store/open-store.js';
import { readStoreSelection, STORE_HELP, STORE_OPTIONS } from '../store/store-options.js';

/** What `prune` found or removed. */
interface PruneResult {
  store: string;
  dryRun: boolean;
  expired: number;
  /** Redis only: index entries whose record is gone; `null` where the store has no separate index. */
  staleIndexEntries: number | null;
  indexesCleaned: number | null;
}

async function countExpired(opened: OpenedStore, now: number): Promise<number> {
  let expired = 0;
  for await (const record of opened.scan()) if (record.expiresAt <= now) expired++;
  return expired;
}

async function countStale(opened: OpenedStore): Promise<{ stale: number; users: string[] }> {
  let stale = 0;
  const users: string[] = [];
  for await (const index of opened.scanIndexes?.() ?? []) {
    if (index.missing.length === 0) continue;
    stale += index.missing.length;
    users.push(index.userId);
  }
  return { stale, users };
}

async function prune(opened: OpenedStore, dryRun: boolean): Promise<PruneResult> {
  const now = Date.now();
  const base = { store: opened.display, dryRun };
  const stale = opened.scanIndexes ? await countStale(opened) : null;
  if (dryRun) return { ...base, expired: await countExpired(opened, now), staleIndexEntries: stale?.stale ?? null, indexesCleaned: null };
  const expired = await opened.store.prune(now);
  // The store's readers drop an index entry whose record is gone once it is older than the
  // store's grace period (younger ones may belong to a write in flight): listing each
  // affected user applies exactly that rule.
  for (const userId of stale?.users ?? []) await opened.store.listByUser(userId, now);
  const after = stale ? await countStale(opened) : null;
  return { ...base, expired, staleIndexEntries: after?.stale ?? null, indexesCleaned: stale && after ? stale.stale - after.stale : null };
}

/** `coatcheck prune`. */
export const pruneCommand: Command = {
  name: 'prune',
  summary: 'remove expired records and stale index entries (--dry-run counts)',
  options: { ...STORE_OPTIONS, 'dry-run': { type: 'boolean', short: 'n' } },
  help: `Usage: coatcheck prune --store URL [--dry-run] [--json]

Removes records past their expiry with the store's own prune (SQLite and Postgres do this on
a timer too; Redis expires keys itself). On Redis it also drops user-index entries whose
session is gone, once they are older than the store's grace period (5 minutes: a younger
entry may belong to a write in flight). With --dry-run nothing changes: expired records and
stale index entries are counted.

${STORE_HELP}

Exit codes: 0 ok, 2 usage error, 3 store unreachable, 4 store package missing.

Examples:
  coatcheck prune --store sqlite:./sessions.db --dry-run
  coatcheck prune --store redis://127.0.0.1:6379 --prefix shop: --json`,
  async run({ values, positionals, io, json }) {
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}". See: coatcheck prune --help`);
    const selection = readStoreSelection(values, io);
    const result = await withStore(selection, {}, (opened) => prune(opened, values['dry-run'] === true));
    emit(io, json, result, (r) => [
      r.dryRun ? `dry run on ${r.store}: nothing changed` : `pruned ${r.store}`,
      `${r.dryRun ? 'expired records to remove' : 'expired records removed'}: ${r.expired}`,
      ...(r.staleIndexEntries === null
        ? []
        : r.dryRun
          ? [`stale user-index entries: ${r.staleIndexEntries}`]
          : [`stale user-index entries removed: ${r.indexesCleaned}; left (younger than the grace period): ${r.staleIndexEntries}`]),
    ]);
    return EXIT_CODES.ok;
  },
};
