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
 * Writes are also coalesced: the first frame a socket gets in a tick corks it, and every
 * corked socket is uncorked once, on the next tick, so a burst of broadcasts costs one
 * `writev` system call per socket instead of one per frame. Corked data counts in
 * `bufferedAmount`, so the slow-consumer cap still holds.
 *
 * @module
 */
import * as ws from 'ws';
import type WebSocket from 'ws';

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
// The ESM entry exports Sender by name; the CommonJS one hangs it on the default export.
const senderClass = (ws as unknown as { Sender?: { frame?: FrameFn } }).Sender ?? (ws.default as unknown as { Sender?: { frame?: FrameFn } }).Sender;
const frameOf = senderClass?.frame;

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

const corked: Corkable[] = [];
let flushScheduled = false;

/** Corked data past this is written at once: coalescing pays off for small frames only. */
const COALESCE_BYTES = 64 * 1024;

interface Corkable {
  cork(): void;
  uncork(): void;
  readonly destroyed?: boolean;
  readonly writableCorked?: number;
  readonly writableLength?: number;
}

function flush(): void {
  flushScheduled = false;
  const sockets = corked.splice(0);
  // A socket may be listed twice (flushed early, corked again); uncork what is still corked.
  for (const socket of sockets) if (!socket.destroyed && (socket.writableCorked ?? 0) > 0) socket.uncork();
}

function socketOf(webSocket: WebSocket): Corkable | undefined {
  const socket = (webSocket as unknown as { _socket?: Corkable })._socket;
  return socket !== undefined && typeof socket.cork === 'function' ? socket : undefined;
}

function corkUntilNextTick(socket: Corkable | undefined): void {
  if (socket === undefined || socket.writableCorked !== 0) return;
  socket.cork();
  corked.push(socket);
  if (!flushScheduled) {
    flushScheduled = true;
    process.nextTick(flush);
  }
}

/** Writes a prepared frame to one open socket. */
export function writeFrame(socket: WebSocket, prepared: PreparedFrame): void {
  const sender = (socket as unknown as { _sender?: SenderInternals })._sender;
  if (prepared.frame !== null && sender !== undefined && sender._state === DEFAULT_STATE && typeof sender.sendFrame === 'function') {
    const raw = socketOf(socket);
    corkUntilNextTick(raw);
    sender.sendFrame(prepared.frame);
    // Hand large bursts to the kernel now, so a fast reader never looks slow to the cap.
    if (raw !== undefined && (raw.writableCorked ?? 0) > 0 && (raw.writableLength ?? 0) >= COALESCE_BYTES) raw.uncork();
    return;
  }
  socket.send(prepared.data, { binary: false });
}
