/**
 * Device-list operations a session handle delegates to its manager.
 *
 * @module
 */
import type { DeviceSession } from '../manager/devices.js';

/** The manager-side device operations, already bound to a store. */
export interface DeviceApi {
  list(userId: string, currentId: string | null): Promise<DeviceSession[]>;
  revoke(userId: string, id: string): Promise<boolean>;
  revokeOthers(userId: string, keepId: string): Promise<string[]>;
  revokeAll(userId: string): Promise<string[]>;
}
