/**
 * Targets of a broadcast and the group keys they map to. Internal.
 *
 * @module
 */
import type { Scope } from './protocol.js';

/**
 * Who a message goes to: every socket of one session, every socket of one user (all their
 * devices and tabs), every member of a named room, or everyone.
 */
export type Target = { readonly sessionId: string } | { readonly userId: string } | { readonly room: string } | { readonly all: true };

/** The group key of a target (`s:`, `u:`, `r:` prefixes keep the namespaces apart). */
export function groupKey(target: Target): string {
  if ('sessionId' in target) return `s:${target.sessionId}`;
  if ('userId' in target) return `u:${target.userId}`;
  if ('room' in target) return `r:${target.room}`;
  return '*';
}

/** Scope and room name as the client sees them. */
export function describeTarget(target: Target): { scope: Scope; room: string | null } {
  if ('sessionId' in target) return { scope: 'session', room: null };
  if ('userId' in target) return { scope: 'user', room: null };
  if ('room' in target) return { scope: 'room', room: target.room };
  return { scope: 'all', room: null };
}

/** Checks a target given by application code. */
export function isTarget(value: unknown): value is Target {
  if (value === null || typeof value !== 'object') return false;
  const t = value as Record<string, unknown>;
  return typeof t.sessionId === 'string' || typeof t.userId === 'string' || typeof t.room === 'string' || t.all === true;
}
