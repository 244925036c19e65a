/**
 * The devices the cap on devices (`MAX_DEVICES`) signed out to make room for a sign-in, read
 * back from the session history for the Devices page: when, which device, and which sign-in
 * made room. Nothing is stored for this: the history keeps every eviction as `revoked` with
 * reason `session-limit`, with the address and User-Agent of that sign-in.
 *
 * @module
 */
import { labelDevice, type HistoryEntry, type SessionManager } from 'coatcheck';

/** One device signed out to make room, as `GET /sessions` lists it. */
export interface Eviction {
  /** When it was signed out (epoch ms). */
  readonly at: number;
  /** The signed-out session's public id (no longer usable for anything). */
  readonly id: string;
  /** Its label, from the User-Agent its own history first recorded ("Firefox on Linux"). */
  readonly label: string;
  /** The sign-in that made room: its label, User-Agent and client address. */
  readonly signIn: { readonly label: string; readonly userAgent: string | null; readonly ip: string | null };
}

/** How far back the page looks, and how many it shows. */
const WINDOW_MS = 7 * 86_400_000;
const MAX_SHOWN = 5;
/** Entries of the account's history read first; most accounts have fewer. */
const FIRST_READ = 100;
/** The most one read returns, and as many as the history keeps per user by default. */
const FULL_READ = 1000;
/** Entries of one device's history searched for its first User-Agent. */
const DEVICE_READ = 100;

const isEviction = (entry: HistoryEntry, since: number) => entry.type === 'revoked' && entry.reason === 'session-limit' && entry.at > since;

/** The user's evictions of the last 7 days, newest first, at most 5. */
export async function listEvictions(manager: SessionManager<any>, userId: string, now: number): Promise<Eviction[]> {
  const since = now - WINDOW_MS;
  const entries = await readRecent(manager, userId, since);
  const evictions = entries.filter((entry) => isEviction(entry, since)).slice(0, MAX_SHOWN);
  const known = firstUserAgentsIn(entries, userId);
  return Promise.all(
    evictions.map(async (entry) => ({
      at: entry.at,
      id: entry.sessionId,
      label: labelDevice(known.has(entry.sessionId) ? (known.get(entry.sessionId) ?? null) : await firstUserAgent(manager, entry.sessionId, userId)),
      signIn: { label: labelDevice(entry.userAgent), userAgent: entry.userAgent, ip: entry.ip },
    })),
  );
}

// Whether a device's own entries count for its label: the user's, and not its end (an
// eviction records the sign-in that made room).
const countsForLabel = (entry: HistoryEntry, userId: string) => entry.userId === userId && entry.type !== 'revoked';

/**
 * Each device's first User-Agent found in the account's entries already read, for the devices
 * whose beginning is among them (`created`, or an entry naming the ticket it replaced): then
 * every later entry of theirs is too, and no read of their own history is needed. A device
 * whose beginning was trimmed off or lies beyond the read is left out.
 */
function firstUserAgentsIn(entries: readonly HistoryEntry[], userId: string): Map<string, string | null> {
  const found = new Map<string, string | null>();
  // Newest first: walking backwards meets each device's oldest entry first.
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i] as HistoryEntry;
    const begins = entry.type === 'created' || entry.previousId !== null;
    if (begins && !found.has(entry.sessionId)) found.set(entry.sessionId, null);
    if (found.get(entry.sessionId) === null && countsForLabel(entry, userId) && entry.userAgent !== null) found.set(entry.sessionId, entry.userAgent);
  }
  return found;
}

/**
 * The account's newest entries, enough to cover the window: one short read for most accounts,
 * and one long one only when the short one is full, still inside the window and short of
 * evictions. One long read rather than pages: entries of one instant may straddle a page
 * boundary (`before` is exclusive).
 */
async function readRecent(manager: SessionManager<any>, userId: string, since: number): Promise<HistoryEntry[]> {
  const first = await manager.history({ userId }, { limit: FIRST_READ });
  const oldest = first.at(-1);
  const complete = first.length < FIRST_READ || oldest === undefined || oldest.at <= since;
  if (complete || first.filter((entry) => isEviction(entry, since)).length >= MAX_SHOWN) return first;
  return manager.history({ userId }, { limit: FULL_READ });
}

/**
 * The User-Agent a device signed in with: the oldest of its own entries that names one.
 * `revoked` entries are skipped, since an eviction records the sign-in that made room. Only
 * the user's own entries count: a device's earlier ticket may have been someone else's.
 */
async function firstUserAgent(manager: SessionManager<any>, sessionId: string, userId: string): Promise<string | null> {
  const entries = await manager.history({ sessionId }, { limit: DEVICE_READ });
  const own = entries.filter((entry) => countsForLabel(entry, userId) && entry.userAgent !== null);
  return own.at(-1)?.userAgent ?? null;
}
