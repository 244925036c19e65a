/**
 * The `hub.onHandshake` hook: every answered upgrade request with its status, code, duration
 * and session, for metrics and tracing. Internal; the types are exported.
 *
 * @module
 */
import type { Logger } from 'coatcheck';
import type { RealtimeUpgradeErrorCode } from './error-codes.js';

/** One answered handshake, as `hub.onHandshake` listeners see it. */
export interface HandshakeReport {
  /** 101 when the socket was accepted, else the HTTP status of the refusal. */
  readonly status: number;
  /** The refusal's code; `null` when accepted. */
  readonly code: RealtimeUpgradeErrorCode | null;
  /**
   * The public id of the session the socket is bound to; `null` when refused, or accepted
   * to authenticate with its first message.
   */
  readonly sessionId: string | null;
  /** Wall time from the upgrade request to the answer, in milliseconds, fractional. */
  readonly ms: number;
}

/** A listener of {@link HandshakeReport}s. */
export type HandshakeListener = (report: HandshakeReport) => void;

/** The listeners of one hub. */
export interface HandshakeHook {
  /** `true` when somebody listens; handshakes skip the clock otherwise. */
  readonly active: boolean;
  subscribe(listener: HandshakeListener): () => void;
  /** Reports a handshake that started at `started` (a `performance.now()` reading). */
  report(started: number, status: number, code: RealtimeUpgradeErrorCode | null, sessionId: string | null): void;
}

/** Creates an empty listener list; a throwing listener is logged once and kept. */
export function createHandshakeHook(logger: Logger): HandshakeHook {
  // listener -> whether its failure was already logged (it would otherwise log per socket).
  const listeners = new Map<HandshakeListener, boolean>();
  return {
    get active() {
      return listeners.size > 0;
    },
    subscribe(listener) {
      if (typeof listener !== 'function') throw new TypeError('onHandshake(listener): listener must be a function');
      listeners.set(listener, false);
      return () => void listeners.delete(listener);
    },
    report(started, status, code, sessionId) {
      const report: HandshakeReport = { status, code, sessionId, ms: performance.now() - started };
      for (const [listener, logged] of listeners) {
        try {
          listener(report);
        } catch (error) {
          if (logged) continue;
          listeners.set(listener, true);
          logger.error('coatcheck realtime: an onHandshake listener threw; further failures of this listener are not logged', { error });
        }
      }
    },
  };
}
