/**
 * A WebSocket to a coatcheck realtime hub that stays connected: heartbeats, reconnection
 * with backoff and jitter, rooms rejoined after each reconnection, and a stop for good when
 * the server says the session ended. Runs in browsers (no Node imports); in Node, pass the
 * `ws` package's `WebSocket` as the `WebSocket` option.
 *
 * @module
 */
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { CLOSE_CODES, TERMINAL_CLOSE_CODES } from './close-codes.js';

/** The part of the WebSocket API the client uses (browsers' and `ws`'s both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket constructor. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** A message delivered by the hub. */
export interface RealtimeMessage {
  /** Who it was addressed to: this session, the user, a room, everyone, or this socket. */
  readonly scope: 'session' | 'user' | 'room' | 'all' | 'direct';
  readonly room?: string;
  readonly data: unknown;
}

/** Connection state. */
export type RealtimeState = 'connecting' | 'open' | 'waiting' | 'closed';

/** Options of {@link createRealtimeClient}. */
export interface RealtimeClientOptions extends BackoffOptions {
  /** `wss://host/ws`. Never put credentials in it: the hub refuses them. */
  readonly url: string;
  /** @default globalThis.WebSocket */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * Bearer token for each connection attempt (sent as the `coatcheck.bearer.<token>`
   * subprotocol), and for the hub's `reauthenticate` request when that token expires;
   * without it the browser's session cookie authenticates.
   */
  readonly token?: () => string | null | Promise<string | null>;
  /** How often to send `{"type":"heartbeat"}`, in ms; silence for twice this reconnects. @default 25000 */
  readonly heartbeatIntervalMs?: number;
  /**
   * Consecutive attempts that never got `ready` (refused handshakes, unreachable server)
   * after which the client gives up. A browser cannot see why a handshake failed (a 401
   * looks like a network error), so bound it when a dead session is likely. @default Infinity
   */
  readonly maxAttempts?: number;
  /** Close codes after which the client stops reconnecting. @default 4001, 4401, 4440 */
  readonly terminalCodes?: readonly number[];
  readonly onMessage?: (message: RealtimeMessage) => void;
  readonly onStateChange?: (state: RealtimeState) => void;
  /** Every close, with whether a reconnection follows. */
  readonly onClose?: (event: { code: number; reason: string; willReconnect: boolean }) => void;
}

/** A self-healing connection. */
export interface RealtimeClient {
  readonly state: RealtimeState;
  /** Joins a room now (if open) and after every reconnection. */
  join(room: string): void;
  leave(room: string): void;
  /** Sends `{"type":"message","data"}`; `false` when not connected. */
  send(data: unknown): boolean;
  /** Closes for good. */
  close(): void;
}

const OPEN = 1;
const PROTOCOL = 'coatcheck.v1';

/** Connects at once and keeps connecting until closed or told the session ended. */
export function createRealtimeClient(options: RealtimeClientOptions): RealtimeClient {
  const found = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (found === undefined) throw new TypeError('createRealtimeClient: no WebSocket; pass the WebSocket option (in Node: the ws package).');
  const Ctor: WebSocketConstructor = found;
  const heartbeatMs = options.heartbeatIntervalMs ?? 25_000;
  const terminal = new Set(options.terminalCodes ?? TERMINAL_CLOSE_CODES);
  const rooms = new Set<string>();
  let state: RealtimeState = 'connecting';
  let socket: WebSocketLike | null = null;
  let attempt = 0;
  /** Rate-limited closes since the last connection that stayed calm for a heartbeat interval. */
  let strikes = 0;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let beat: ReturnType<typeof setInterval> | undefined;
  let lastHeard = 0;

  const setState = (next: RealtimeState) => {
    if (next === state) return;
    state = next;
    options.onStateChange?.(next);
  };
  const write = (frame: unknown): boolean => {
    if (socket === null || socket.readyState !== OPEN || state !== 'open') return false;
    socket.send(JSON.stringify(frame));
    return true;
  };

  function onFrame(raw: unknown): void {
    lastHeard = Date.now();
    let frame: { type?: unknown; scope?: unknown; room?: unknown; data?: unknown };
    try {
      frame = JSON.parse(String(raw));
    } catch {
      return;
    }
    if (frame.type === 'ready') {
      attempt = 0;
      setState('open');
      for (const room of rooms) write({ type: 'join', room });
    } else if (frame.type === 'message') {
      options.onMessage?.(frame as unknown as RealtimeMessage);
    } else if (frame.type === 'reauthenticate') {
      // The access token this socket showed expired: answer with the current one (a token
      // provider like createBearerFetch's accessToken() refreshes it first). Without an
      // answer the hub closes with 4441 and the reconnection shows a fresh token anyway.
      void reauthenticate();
    }
  }

  function onClosed(code: number, reason: string): void {
    clearInterval(beat);
    socket = null;
    const willReconnect = !stopped && !terminal.has(code) && attempt + 1 < (options.maxAttempts ?? Infinity);
    options.onClose?.({ code, reason, willReconnect });
    if (!willReconnect) {
      stopped = true;
      setState('closed');
      return;
    }
    setState('waiting');
    // `ready` resets the backoff, so an application that floods right after each reconnection
    // would cycle at the first step; each rate-limited close in a row moves it one step up.
    if (code === CLOSE_CODES.RATE_LIMITED) strikes++;
    retry = setTimeout(() => void open(), backoffDelay(attempt + strikes, options));
    attempt++;
  }

  async function reauthenticate(): Promise<void> {
    let token: string | null = null;
    try {
      token = options.token ? await options.token() : null;
    } catch {
      return;
    }
    if (token) write({ type: 'auth', token });
  }

  async function open(): Promise<void> {
    if (stopped) return;
    setState('connecting');
    let protocols: string[] = [PROTOCOL];
    try {
      const token = options.token ? await options.token() : null;
      if (token) protocols = [PROTOCOL, `coatcheck.bearer.${token}`];
    } catch {
      return onClosed(1006, 'token unavailable');
    }
    if (stopped) return;
    const ws = new Ctor(options.url, protocols);
    socket = ws;
    let closed = false;
    const closeOnce = (code: number, reason: string) => {
      if (closed) return;
      closed = true;
      onClosed(code, reason);
    };
    ws.onmessage = (event) => onFrame(event.data);
    ws.onclose = (event) => closeOnce(event.code, event.reason);
    // A refused handshake reports an error and then a close (1006) in browsers.
    ws.onerror = () => {};
    ws.onopen = () => {
      lastHeard = Date.now();
      beat = setInterval(() => {
        if (Date.now() - lastHeard > 2 * heartbeatMs) {
          // The server (or the network) went silent: do not wait for TCP to notice.
          ws.close(4000, 'heartbeat timeout');
          closeOnce(4000, 'heartbeat timeout');
          return;
        }
        if (ws.readyState === OPEN) ws.send('{"type":"heartbeat"}');
        // A whole interval without being rate limited: the flood, if any, is over.
        strikes = 0;
      }, heartbeatMs);
    };
  }

  void open();
  return {
    get state() {
      return state;
    },
    join(room) {
      rooms.add(room);
      write({ type: 'join', room });
    },
    leave(room) {
      rooms.delete(room);
      write({ type: 'leave', room });
    },
    send: (data) => write({ type: 'message', data }),
    close() {
      stopped = true;
      clearTimeout(retry);
      clearInterval(beat);
      socket?.close(1000, 'closed by client');
      setState('closed');
    },
  };
}
