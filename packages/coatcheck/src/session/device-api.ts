/**
 * Device-list operations a session handle delegates to its manager.
 *
 * @module
 */
import type { DeviceSession } from '../manager/devices.js';
import type { HistoryActor } from '../store/history-types.js';
import type { SessionRecord } from '../store/types.js';

/** The manager-side device operations, already bound to a store. `actor` goes to the history. */
export interface DeviceApi {
  list(userId: string, currentId: string | null): Promise<DeviceSession[]>;
  revoke(userId: string, id: string, actor: HistoryActor): Promise<boolean>;
  revokeOthers(userId: string, keepId: string, actor: HistoryActor): Promise<string[]>;
  revokeAll(userId: string, actor: HistoryActor): Promise<string[]>;
}

/** The devices of the user a handle's `record` belongs to; none for an anonymous session. */
export async function listOwnDevices(devices: DeviceApi, record: SessionRecord | null): Promise<DeviceSession[]> {
  return record?.userId ? devices.list(record.userId, record.id) : [];
}

/** Ends the other sessions, or all sessions, of the user a handle's `record` belongs to. */
export async function revokeOwnDevices(devices: DeviceApi, record: SessionRecord | null, which: 'others' | 'all'): Promise<string[]> {
  if (!record?.userId) return [];
  return which === 'others' ? devices.revokeOthers(record.userId, record.id, 'user') : devices.revokeAll(record.userId, 'user');
}
