/**
 * The wire protocol: JSON text frames with a `type`. Internal.
 *
 * Client to server: `heartbeat`, `auth` (first-message authentication, or a fresh token on a
 * bearer socket), `join`, `leave`, `message`. Server to client: `ready`, `heartbeat`,
 * `joined`, `left`, `message`, `error`, `session-ended` (just before a revocation close),
 * `reauthenticate` / `reauthenticated` (a bearer socket's token expired / was renewed).
 *
 * @module
 */
import type { RealtimeFrameErrorCode } from './error-codes.js';

/** A parsed client frame. */
export type ClientFrame =
  | { readonly type: 'heartbeat' }
  | { readonly type: 'auth'; readonly token: string }
  | { readonly type: 'join'; readonly room: string }
  | { readonly type: 'leave'; readonly room: string }
  | { readonly type: 'message'; readonly data: unknown };

/** Room names: printable, no spaces, 1 to 128 characters. */
const ROOM_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** Parses a text frame; `null` for anything that is not a well-formed client frame. */
export function parseClientFrame(text: string): ClientFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const frame = value as Record<string, unknown>;
  switch (frame.type) {
    case 'heartbeat':
      return { type: 'heartbeat' };
    case 'auth':
      return typeof frame.token === 'string' && frame.token.length > 0 && frame.token.length <= 8192 ? { type: 'auth', token: frame.token } : null;
    case 'join':
    case 'leave':
      return typeof frame.room === 'string' && ROOM_PATTERN.test(frame.room) ? { type: frame.type, room: frame.room } : null;
    case 'message':
      return { type: 'message', data: frame.data };
    default:
      return null;
  }
}

/** Where a delivered message was addressed. */
export type Scope = 'session' | 'user' | 'room' | 'all';

/** Encodes a delivery once, for every socket it goes to. */
export function encodeMessage(scope: Scope, room: string | null, data: unknown): string {
  return JSON.stringify(room === null ? { type: 'message', scope, data } : { type: 'message', scope, room, data });
}

export const HEARTBEAT_FRAME = '{"type":"heartbeat"}';
export const READY_FRAME = '{"type":"ready"}';

/** An error frame with a stable code. */
export function encodeError(code: RealtimeFrameErrorCode, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'error', code, ...extra });
}
