/**
 * `coatcheck stats`: what the store holds, from one pass over its records.
 *
 * @module
 */
import type { SessionRecord } from 'coatcheck/store-kit';
import { integerOption, type Command } from '../command.js';
import { EXIT_CODES, usageError } from '../errors.js';
import { emit, formatDuration } from '../io.js';
import { withStore } from '../store/open-store.js';
import { readStoreSelection, STORE_HELP, STORE_OPTIONS } from '../store/store-options.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Age buckets, by upper bound (ms since creation). */
const AGE_BUCKETS: readonly [string, number][] = [
  ['< 1h', HOUR],
  ['1h-1d', DAY],
  ['1d-7d', 7 * DAY],
  ['7d-30d', 30 * DAY],
  ['>= 30d', Number.POSITIVE_INFINITY],
];

/** The counts `stats` reports. */
export interface SessionStats {
  live: number;
  anonymous: number;
  signedIn: number;
  persistent: number;
  nonPersistent: number;
  users: number;
  /** Records past their expiry that the store still holds (removed by `prune`). */
  expiredNotPruned: number;
  byAge: Record<string, number>;
  topUsers: { userId: string; sessions: number }[];
  oldest: number | null;
}

/** Counts `records` as of `now`, one at a time: a large store is never held in memory. */
async function countSessions(records: AsyncIterable<SessionRecord>, now: number, top: number): Promise<SessionStats> {
  const stats: SessionStats = {
    live: 0,
    anonymous: 0,
    signedIn: 0,
    persistent: 0,
    nonPersistent: 0,
    users: 0,
    expiredNotPruned: 0,
    byAge: {},
    topUsers: [],
    oldest: null,
  };
  for (const [label] of AGE_BUCKETS) stats.byAge[label] = 0;
  const perUser = new Map<string, number>();
  for await (const record of records) {
    if (record.expiresAt <= now) {
      stats.expiredNotPruned++;
      continue;
    }
    stats.live++;
    if (record.userId === null) stats.anonymous++;
    else {
      stats.signedIn++;
      perUser.set(record.userId, (perUser.get(record.userId) ?? 0) + 1);
    }
    if (record.persistent) stats.persistent++;
    else stats.nonPersistent++;
    const age = now - record.createdAt;
    const bucket = AGE_BUCKETS.find(([, limit]) => age < limit)?.[0] as string;
    stats.byAge[bucket] = (stats.byAge[bucket] ?? 0) + 1;
    stats.oldest = stats.oldest === null ? record.createdAt : Math.min(stats.oldest, record.createdAt);
  }
  stats.users = perUser.size;
  stats.topUsers = [...perUser]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([userId, sessions]) => ({ userId, sessions }));
  return stats;
}

/** `coatcheck stats`. */
export const statsCommand: Command = {
  name: 'stats',
  summary: 'live sessions: anonymous/signed in, remember-me, by age, top users, store size',
  options: { ...STORE_OPTIONS, top: { type: 'string' } },
  help: `Usage: coatcheck stats --store URL [--top N] [--json]

Reads every record once (Redis: SCAN under the prefix, every master of a Cluster; SQL: pages
by id) and counts the live sessions: anonymous vs signed in, remember-me vs not, by age
(< 1h, 1h-1d, 1d-7d, 7d-30d, >= 30d), the N users with most sessions (default 10), expired
records not yet pruned, and the store's size where the store can tell cheaply (SQLite: the
file and its WAL; Postgres: the table with its indexes; Redis: unknown).

${STORE_HELP}

Exit codes: 0 ok, 2 usage error, 3 store unreachable, 4 store package missing.

Example:
  coatcheck stats --store redis+cluster://10.0.0.1:7000,10.0.0.2:7000 --prefix shop: --json`,
  async run({ values, positionals, io, json }) {
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}". See: coatcheck stats --help`);
    const top = integerOption(values, 'top', 10);
    const selection = readStoreSelection(values, io);
    const result = await withStore(selection, {}, async (opened) => {
      const now = Date.now();
      const counts = await countSessions(opened.scan(), now, top);
      return { store: opened.display, at: now, ...counts, size: await opened.measure() };
    });
    emit(io, json, result, (r) => [
      `store ${r.store}`,
      `live sessions      ${r.live}`,
      `  signed in        ${r.signedIn} (${r.users} users)`,
      `  anonymous        ${r.anonymous}`,
      `  remember me      ${r.persistent}`,
      `  not persistent   ${r.nonPersistent}`,
      `by age             ${Object.entries(r.byAge)
        .map(([label, n]) => `${label}: ${n}`)
        .join(', ')}`,
      `oldest             ${r.oldest === null ? '-' : `${formatDuration(r.at - r.oldest)} old`}`,
      `expired, not yet pruned  ${r.expiredNotPruned}`,
      `size               ${r.size.bytes === null ? r.size.what : `${r.size.bytes} bytes (${r.size.what})`}`,
      `top users          ${r.topUsers.map((u) => `${u.userId}: ${u.sessions}`).join(', ') || '-'}`,
    ]);
    return EXIT_CODES.ok;
  },
};
