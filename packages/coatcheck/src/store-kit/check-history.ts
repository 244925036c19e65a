/**
 * Checking a history entry read back from storage. Part of `coatcheck/store-kit`.
 *
 * Like a record, an entry may have been written by hand, by another program or truncated.
 * Unlike a record, a bad entry cannot fail a request: it is only skipped (a store does not
 * delete or report it; retention removes it in time).
 *
 * @module
 */
import type { HistoryEntry, HistoryType } from '../store/history-types.js';

const TYPES: ReadonlySet<string> = new Set<HistoryType>([
  'created',
  'upgraded',
  'step_up',
  'rotated',
  'refreshed',
  'refresh_reuse',
  'revoked',
  'csrf_refused',
  'address_changed',
  'user_agent_changed',
]);

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isOptionalText = (value: unknown): value is string | null => value === null || typeof value === 'string';

/**
 * Rebuilds a {@link HistoryEntry} from the fields a store read (numbers already numbers,
 * absent values `null`), or returns `null` when any field is not what an entry holds.
 */
export function checkHistoryEntry(raw: Readonly<Record<keyof HistoryEntry, unknown>>): HistoryEntry | null {
  const { at, type, sessionId, previousId, userId, actor, reason, ip, userAgent, expiresAt } = raw;
  if (!isTime(at) || !isTime(expiresAt) || typeof type !== 'string' || !TYPES.has(type)) return null;
  if (!isText(sessionId) || !isText(userId) || !isText(actor)) return null;
  if (!isOptionalText(previousId) || !isOptionalText(reason) || !isOptionalText(ip) || !isOptionalText(userAgent)) return null;
  return { at, type: type as HistoryType, sessionId, previousId, userId, actor, reason, ip, userAgent, expiresAt };
}
