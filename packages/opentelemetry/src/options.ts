/**
 * What `traceSessions` reads and how it is configured. The hub and the token service are
 * described by the little this package uses of them, so neither `@coatcheck/realtime` nor
 * `@coatcheck/tokens` has to be installed to trace sessions.
 *
 * @module
 */
import type { Tracer } from '@opentelemetry/api';
import type { SessionManager } from 'coatcheck';

/** The parts of a session manager that are traced: its store calls, its events, its store's name. */
export type TracedManager = Pick<SessionManager, 'events' | 'onStoreCall'> & { readonly store: { readonly name: string } };

/** The part of a `@coatcheck/realtime` hub that is traced: its answered handshakes. */
export interface TracedHub {
  onHandshake(
    listener: (report: { readonly status: number; readonly code: string | null; readonly sessionId: string | null; readonly ms: number }) => void,
  ): () => void;
}

/** The part of a `@coatcheck/tokens` service that is traced: its `refresh` event. */
export interface TracedTokens {
  readonly events: {
    on(event: 'refresh', listener: (payload: { readonly sessionId: string | null; readonly outcome: string; readonly ms: number }) => void): () => void;
  };
}

/** Options of `traceSessions`. */
export interface TraceSessionsOptions {
  /**
   * The tracer spans are made with. The default comes from the global tracer provider, so
   * an app that registers an OpenTelemetry SDK (before or after this call) gets spans, and
   * one that registers none pays for no-op spans only.
   * @default trace.getTracer('@coatcheck/opentelemetry')
   */
  tracer?: Tracer;
  /**
   * Make store-call spans, refresh spans and lifecycle events only inside an active span:
   * a request traced by your HTTP instrumentation, or a job you trace. Work outside any span
   * (a background revocation, a socket's liveness check with no request around it) then
   * makes no span, where it would otherwise be a root span: a trace of one span each, noise
   * in most backends. `false` traces everything, as root spans when nothing is active.
   * Handshake spans are server spans, the start of a trace themselves, and always made.
   * @default true
   */
  requireParentSpan?: boolean;
  /** A `@coatcheck/realtime` hub: a span per answered handshake. @default none */
  hub?: TracedHub | null;
  /** A `@coatcheck/tokens` service: a span per refresh. @default none */
  tokens?: TracedTokens | null;
}
