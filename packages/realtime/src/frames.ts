/**
 * Sending one encoded message to many sockets cheaply. Internal.
 *
 * A broadcast is serialized once, and framed once: the WebSocket header and the payload are
 * built into one buffer that every socket writes as is, the way Socket.IO's engine writes its
 * pre-encoded broadcast frames. That uses `ws` internals (`_sender.sendFrame`), so it is
 * feature-checked on every write and falls back to the public `send` whenever the sender is
 * not idle (a frame queued behind compression, which the hub keeps off) or the internals
 * changed shape.
 *
 * @module
 */
import WebSocket from 'ws';

/** A message ready to be written to any number of sockets. */
export interface PreparedFrame {
  /** The payload, for the public `send` fallback. */
  readonly data: Buffer;
  /** Header and payload of an unmasked, final text frame, or `null` without the fast path. */
  readonly frame: readonly Buffer[] | null;
}

interface SenderInternals {
  readonly _state?: unknown;
  sendFrame?: (list: readonly Buffer[], cb?: (error?: Error) => void) => void;
}

type FrameFn = (data: Buffer, options: Record<string, unknown>) => Buffer[];
const frameOf = (WebSocket as unknown as { Sender?: { frame?: FrameFn } }).Sender?.frame;

/** Serializes a text message once, framed once. */
export function prepareFrame(text: string): PreparedFrame {
  const data = Buffer.from(text, 'utf8');
  let frame: Buffer[] | null = null;
  if (typeof frameOf === 'function') {
    const parts = frameOf(data, { fin: true, rsv1: false, opcode: 0x01, mask: false, readOnly: true });
    frame = parts.length === 2 ? [Buffer.concat(parts as Buffer[])] : parts;
  }
  return { data, frame };
}

const DEFAULT_STATE = 0;

/** Writes a prepared frame to one open socket. */
export function writeFrame(ws: WebSocket, prepared: PreparedFrame): void {
  const sender = (ws as unknown as { _sender?: SenderInternals })._sender;
  if (prepared.frame !== null && sender !== undefined && sender._state === DEFAULT_STATE && typeof sender.sendFrame === 'function') {
    sender.sendFrame(prepared.frame);
    return;
  }
  ws.send(prepared.data, { binary: false });
}
