/**
 * Noticing that a session is used from another client address or User-Agent than the one it
 * was last seen with. Only asked when a write is due anyway (a touch or a change), and only
 * for a user's session with the history on: a read-only request never writes for it, and the
 * record takes the new values, so one change is recorded once.
 *
 * @module
 */
import type { HistoryNote } from '../manager/history.js';
import type { DeviceInfo, SessionRecord } from '../store/types.js';

/** The device the record takes, and the history notes of the change. */
export interface DeviceChange {
  readonly device: DeviceInfo;
  readonly notes: readonly HistoryNote[];
}

/**
 * Compares what a request showed (`seen`, already cleaned) with the record's device. A
 * request that showed nothing (a by-id load without request details) changes nothing.
 * Returns `null` when nothing changed.
 */
export function detectDeviceChange(record: SessionRecord, seen: DeviceInfo): DeviceChange | null {
  const stored = record.device;
  const ipChanged = seen.ip !== null && seen.ip !== stored.ip;
  const agentChanged = seen.userAgent !== null && seen.userAgent !== stored.userAgent;
  if (!ipChanged && !agentChanged) return null;
  const base = {
    sessionId: record.id,
    userId: record.userId,
    actor: 'system',
    ip: seen.ip ?? stored.ip,
    userAgent: seen.userAgent ?? stored.userAgent,
  } as const;
  const notes: HistoryNote[] = [];
  // `reason` holds the value the session had before.
  if (ipChanged) notes.push({ ...base, type: 'address_changed', reason: stored.ip });
  if (agentChanged) notes.push({ ...base, type: 'user_agent_changed', reason: stored.userAgent });
  return { device: { ip: base.ip, userAgent: base.userAgent }, notes };
}
