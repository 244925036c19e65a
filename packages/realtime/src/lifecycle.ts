/**
 * Following session lifecycle: which sessions' sockets must close, and with which code.
 * Internal.
 *
 * Two sources, both idempotent to act on: the bus (every instance's changes, this one's
 * included) and the manager's local events (this instance, with or without a bus, and
 * without waiting for the round trip).
 *
 * @module
 */
import type { SessionManager } from 'coatcheck';
import type { BusMessage, SessionBus } from 'coatcheck/bus';
import { CLOSE_CODES } from './close-codes.js';

/** What the hub does about a lifecycle change. */
export interface LifecycleHooks {
  /** Closes the sockets of session `id`. */
  close(id: string, code: number, reason: string): void;
  /** Re-reads session `id` from the store (it changed; it may have rotated). */
  check(id: string): void;
}

/** 4440 for expiry, 4401 for every other end (logout, revocation, token reuse, …). */
function endCode(reason: string): number {
  return reason === 'expired' ? CLOSE_CODES.SESSION_EXPIRED : CLOSE_CODES.SESSION_REVOKED;
}

function onBusMessage(message: BusMessage, hooks: LifecycleHooks): void {
  if (message.type === 'ended') {
    for (const id of message.ids) hooks.close(id, endCode(message.reason), message.reason);
  } else if (message.type === 'upgraded') {
    if (message.oldId !== null) hooks.close(message.oldId, CLOSE_CODES.SESSION_ROTATED, 'rotated');
  } else {
    for (const id of message.ids) hooks.check(id);
  }
}

/** Starts following; returns the function that stops. */
export function followLifecycle(manager: SessionManager<any>, bus: SessionBus | null, hooks: LifecycleHooks): () => void {
  const offs = [
    manager.events.on('destroyed', ({ id, reason }) => hooks.close(id, endCode(reason), reason)),
    manager.events.on('revoked', ({ ids, reason }) => {
      for (const id of ids) hooks.close(id, endCode(reason), reason);
    }),
    manager.events.on('upgraded', ({ oldId }) => {
      if (oldId !== null) hooks.close(oldId, CLOSE_CODES.SESSION_ROTATED, 'rotated');
    }),
    manager.events.on('regenerated', ({ oldId }) => hooks.close(oldId, CLOSE_CODES.SESSION_ROTATED, 'rotated')),
  ];
  if (bus !== null) offs.push(bus.subscribe((message) => onBusMessage(message, hooks)));
  return () => {
    for (const off of offs) off();
  };
}

/** Wire envelope of a cross-instance broadcast: [hub id, group key, encoded message]. */
export type Envelope = readonly [origin: string, key: string, text: string];

export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}

/** Parses an envelope; `null` for anything else on the channel. */
export function decodeEnvelope(payload: string): Envelope | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 3 || !value.every((part) => typeof part === 'string')) return null;
  return value as unknown as Envelope;
}
