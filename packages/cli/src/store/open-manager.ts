/**
 * A session manager over an opened store, so the CLI lists and revokes exactly as the app
 * does: the device list is the manager's, and every revocation is announced on the app's
 * bus. Internal.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createSessionManager, type SessionManager } from 'coatcheck';
import type { OpenedStore } from './open-store.js';

/** A manager and the bus errors it logged (a revocation that was not announced). */
export interface CliManager {
  readonly manager: SessionManager;
  readonly busErrors: string[];
}

/** Creates the manager. It never signs a cookie, so a throwaway secret is enough. */
export function openManager(opened: OpenedStore): CliManager {
  const busErrors: string[] = [];
  const note = (message: string, fields?: Record<string, unknown>) => {
    const cause = fields?.error instanceof Error ? `: ${fields.error.message}` : '';
    busErrors.push(`${message}${cause}`);
  };
  const manager = createSessionManager({
    store: opened.store,
    ...(opened.bus ? { bus: opened.bus } : {}),
    secrets: [randomBytes(32).toString('base64url')],
    logger: { error: note, warn: note },
  });
  return { manager, busErrors };
}
