/**
 * The session history of the Redis store. Internal.
 *
 * Two capped lists per entry: the session's (`<prefix>h:s:<id>`) and the user's
 * (`<prefix>h:u:<userId>`), newest at the head. Each append is one script on one key, so it
 * runs on a Cluster without hash tags, like the user index: the session's and the user's
 * lists are written one after the other, never by one multi-key command. A list keeps its
 * `perSession` or `perUser` newest entries, and the key expires with its newest entry (the
 * retention), so an idle history disappears by itself; expired entries inside a live list are
 * skipped by reads, dropped from the tail by appends, and removed by `prune`.
 *
 * An entry is one JSON array with its expiry first, so the scripts read it without decoding
 * the rest: `[expiresAt, at, type, sessionId, previousId, userId, actor, reason, ip, userAgent]`.
 *
 * @module
 */
import { checkHistoryEntry, type HistoryEntry, type HistoryLimits, type HistoryQuery, type HistoryReadOptions } from 'coatcheck/store-kit';
import type { CommandOps, RedisOps } from './redis-ops.js';
import type { RedisKeys } from './options.js';
import { scanners, type GuardedStep } from './prune.js';
import { HISTORY_APPEND, HISTORY_PRUNE, runScript } from './scripts.js';
import { isWrongType } from './user-index.js';

function encode(e: HistoryEntry): string {
  return JSON.stringify([e.expiresAt, e.at, e.type, e.sessionId, e.previousId, e.userId, e.actor, e.reason, e.ip, e.userAgent]);
}

function decode(value: unknown): HistoryEntry | null {
  let fields: unknown;
  try {
    fields = JSON.parse(String(value));
  } catch {
    return null;
  }
  if (!Array.isArray(fields) || fields.length !== 10) return null;
  const [expiresAt, at, type, sessionId, previousId, userId, actor, reason, ip, userAgent] = fields;
  return checkHistoryEntry({ at, type, sessionId, previousId, userId, actor, reason, ip, userAgent, expiresAt });
}

/**
 * Appends `entries` to their sessions' and users' lists (one script per list, concurrently).
 * The newest entry's time is the clock that decides which old entries have expired: the
 * manager's, not this machine's.
 */
export async function appendHistory(client: CommandOps, keys: RedisKeys, entries: readonly HistoryEntry[], limits: HistoryLimits): Promise<void> {
  const now = Math.max(...entries.map((entry) => entry.at));
  const lists = new Map<string, { cap: number; values: string[]; pxat: number }>();
  const add = (key: string, cap: number, entry: HistoryEntry, value: string) => {
    const list = lists.get(key) ?? { cap, values: [], pxat: 0 };
    list.values.push(value);
    list.pxat = Math.max(list.pxat, Math.ceil(entry.expiresAt));
    lists.set(key, list);
  };
  for (const entry of entries) {
    const value = encode(entry);
    add(keys.sessionHistory(entry.sessionId), limits.perSession, entry, value);
    add(keys.userHistory(entry.userId), limits.perUser, entry, value);
  }
  await Promise.all(
    [...lists].map(([key, list]) => runScript(client, HISTORY_APPEND, key, [String(list.cap), String(now), String(list.pxat), ...list.values])),
  );
}

/** One session's or user's entries live at `now`, newest first. */
export async function readHistory(client: CommandOps, keys: RedisKeys, query: HistoryQuery, options: HistoryReadOptions): Promise<HistoryEntry[]> {
  const key = query.sessionId !== undefined ? keys.sessionHistory(query.sessionId) : keys.userHistory(query.userId);
  let values: unknown;
  try {
    values = await client.lMembers(key);
  } catch (error) {
    // Someone else's value under our prefix: no history, and the next append replaces it.
    if (isWrongType(error)) return [];
    throw error;
  }
  const { limit, before, now } = options;
  const live: HistoryEntry[] = [];
  for (const value of Array.isArray(values) ? values : []) {
    const entry = decode(value);
    if (entry !== null && entry.expiresAt > now && (before === undefined || entry.at < before)) live.push(entry);
  }
  // The list is newest-appended first; a stable sort by time keeps that order for ties.
  return live.sort((a, b) => b.at - a.at).slice(0, limit);
}

/** Removes history entries expired at `now` from every list under the prefix (`SCAN`, batch by batch). */
export async function pruneHistory(client: RedisOps, keys: RedisKeys, now: number, step: GuardedStep): Promise<void> {
  const match = `${keys.prefix}h:*`;
  for (const node of await step(() => scanners(client))) {
    let cursor = '0';
    do {
      cursor = await step(async () => {
        const reply = await node.scan(cursor, match, 500);
        await Promise.all(reply.keys.map((key) => runScript(client, HISTORY_PRUNE, key, [String(now)])));
        return reply.cursor;
      });
    } while (cursor !== '0');
  }
}
