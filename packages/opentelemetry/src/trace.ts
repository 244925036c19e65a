/**
 * `traceSessions`: coatcheck's session work as OpenTelemetry spans, from the hooks the core
 * already has. A store call is reported when it has settled, with its duration, so its span
 * is made afterwards with explicit start and end times, as a child of whatever span is
 * active (the request's, when the app traces HTTP); by default, only when one is. Every
 * store call of every request passes here, so the per-call path allocates the span's
 * attributes and nothing else of its own. Session ids on spans are the public ids
 * the hooks carry; the ticket and its secret never reach this package.
 *
 * @module
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Tracer } from '@opentelemetry/api';
import { SessionConfigError, type StoreCall } from 'coatcheck';
import { ATTRIBUTES, EVENT_NAMES, SPAN_NAMES } from './names.js';
import type { TraceSessionsOptions, TracedManager } from './options.js';

type StoreOp = StoreCall['op'];

/** A running tracer of one manager. */
export interface SessionTracing {
  /** Stops tracing (removes every listener it added). */
  stop(): void;
}

const SPAN_OF_OP: Readonly<Record<StoreOp, string>> = {
  get: SPAN_NAMES.load,
  create: SPAN_NAMES.commit,
  createCapped: SPAN_NAMES.commit,
  update: SPAN_NAMES.commit,
  touch: SPAN_NAMES.touch,
  delete: SPAN_NAMES.revoke,
  deleteByUser: SPAN_NAMES.revoke,
  listByUser: SPAN_NAMES.list,
  ping: SPAN_NAMES.ping,
  appendHistory: SPAN_NAMES.history,
  readHistory: SPAN_NAMES.history,
};

/**
 * Traces `manager` (and, when given, a realtime hub's handshakes and a token service's
 * refreshes) until `stop()`.
 *
 * Spans (see {@link SPAN_NAMES}): `coatcheck.session.load`, `.commit`, `.touch`, `.revoke`,
 * `.list` and `coatcheck.store.ping`, one per store call, of kind `CLIENT`, with
 * `coatcheck.store.operation`, `coatcheck.store.outcome`, `coatcheck.store.name` and, for a
 * call about one session, `session.id`; status `ERROR` with the exception when the store
 * failed. `coatcheck.token.refresh` per refresh (`coatcheck.refresh.outcome`, `session.id`)
 * and `coatcheck.socket.handshake` per WebSocket upgrade (kind `SERVER`,
 * `http.response.status_code`, `coatcheck.realtime.code`, `session.id`; `ERROR` on a 5xx).
 * Lifecycle events ({@link EVENT_NAMES}: created, upgraded and regenerated with
 * `session.previous_id`, destroyed, revoked, CSRF refusals) go on the active span.
 *
 * With `requireParentSpan` (the default), store-call spans, refresh spans and lifecycle
 * events are made only inside an active span (a traced request or job): work outside any
 * span makes none. With `requireParentSpan: false`, it makes root spans, and a lifecycle
 * event becomes a span of its own.
 *
 * @example
 * ```ts
 * import { traceSessions } from '@coatcheck/opentelemetry'
 * // after the OpenTelemetry SDK registered its tracer provider:
 * const tracing = traceSessions(manager, { hub, tokens })
 * ```
 */
export function traceSessions(manager: TracedManager, options: TraceSessionsOptions = {}): SessionTracing {
  const tracer: Tracer = options.tracer ?? trace.getTracer('@coatcheck/opentelemetry');
  const { hub = null, tokens = null, requireParentSpan = true } = options;
  if (typeof requireParentSpan !== 'boolean') throw new SessionConfigError('traceSessions: requireParentSpan must be true or false.');
  const storeName = manager.store.name;

  /**
   * The context a span of coatcheck's is made in, or `null` for none: with
   * `requireParentSpan`, work outside any span (a background job, a socket's liveness check)
   * makes no span, as it would be a trace of one span of its own.
   */
  function parentContext(): Context | null {
    const active = context.active();
    return requireParentSpan && trace.getSpan(active) === undefined ? null : active;
  }

  /** A span of work that ended now and took `ms`, made in `parent`. */
  function endedSpan(parent: Context, name: string, kind: SpanKind, ms: number, attributes: Attributes, error?: unknown): void {
    const end = performance.now();
    // Attributes go in at the start, where a sampler can read them (the convention).
    const span = tracer.startSpan(name, { kind, startTime: end - ms, attributes }, parent);
    // A span sampled out records nothing: skip the error's work.
    if (error !== undefined && span.isRecording()) {
      if (error instanceof Error) span.recordException(error, end);
      span.setStatus({ code: SpanStatusCode.ERROR, message: codeOf(error) });
    }
    span.end(end);
  }

  /** A point in time: an event of the active span, or a span without duration. */
  function mark(name: string, attributes: Attributes): void {
    const active = context.active();
    const span = trace.getSpan(active);
    if (span?.isRecording()) {
      span.addEvent(name, attributes);
      return;
    }
    if (requireParentSpan && span === undefined) return;
    const now = performance.now();
    tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: now, attributes }, active).end(now);
  }

  function onStoreCall({ op, ms, outcome, id, error }: StoreCall): void {
    const parent = parentContext();
    if (parent === null) return;
    const attributes: Attributes = {
      [ATTRIBUTES.storeOperation]: op,
      [ATTRIBUTES.storeOutcome]: outcome,
      [ATTRIBUTES.storeName]: storeName,
    };
    if (id !== undefined) attributes[ATTRIBUTES.sessionId] = id;
    endedSpan(parent, SPAN_OF_OP[op], SpanKind.CLIENT, ms, attributes, outcome === 'error' ? (error ?? new Error(`store ${op} failed`)) : undefined);
  }

  const { events } = manager;
  const offs: (() => void)[] = [
    manager.onStoreCall(onStoreCall),
    events.on('created', ({ id }) => mark(EVENT_NAMES.created, { [ATTRIBUTES.sessionId]: id })),
    events.on('upgraded', ({ oldId, newId }) =>
      mark(EVENT_NAMES.upgraded, oldId === null ? { [ATTRIBUTES.sessionId]: newId } : { [ATTRIBUTES.sessionId]: newId, [ATTRIBUTES.previousSessionId]: oldId }),
    ),
    events.on('regenerated', ({ oldId, newId }) => mark(EVENT_NAMES.regenerated, { [ATTRIBUTES.sessionId]: newId, [ATTRIBUTES.previousSessionId]: oldId })),
    events.on('destroyed', ({ id, reason }) => mark(EVENT_NAMES.destroyed, { [ATTRIBUTES.sessionId]: id, [ATTRIBUTES.reason]: reason })),
    events.on('revoked', ({ ids, reason }) => mark(EVENT_NAMES.revoked, { [ATTRIBUTES.sessionIds]: [...ids], [ATTRIBUTES.reason]: reason })),
    events.on('csrfRefused', ({ reason, sessionId }) =>
      mark(EVENT_NAMES.csrfRefused, sessionId === null ? { [ATTRIBUTES.reason]: reason } : { [ATTRIBUTES.reason]: reason, [ATTRIBUTES.sessionId]: sessionId }),
    ),
  ];

  if (tokens !== null) {
    offs.push(
      tokens.events.on('refresh', ({ sessionId, outcome, ms }) => {
        const parent = parentContext();
        if (parent === null) return;
        const attributes: Attributes = { [ATTRIBUTES.refreshOutcome]: outcome };
        if (sessionId !== null) attributes[ATTRIBUTES.sessionId] = sessionId;
        endedSpan(
          parent,
          SPAN_NAMES.refresh,
          SpanKind.INTERNAL,
          ms,
          attributes,
          outcome === 'error' ? new Error('refresh failed: the session store is unavailable') : undefined,
        );
      }),
    );
  }

  if (hub !== null) {
    offs.push(
      hub.onHandshake(({ status, code, sessionId, ms }) => {
        const attributes: Attributes = { [ATTRIBUTES.httpStatus]: status };
        if (code !== null) attributes[ATTRIBUTES.realtimeCode] = code;
        if (sessionId !== null) attributes[ATTRIBUTES.sessionId] = sessionId;
        // As for HTTP server spans: a refusal of the client (4xx) is an answer, not a failure.
        // A handshake span starts a unit of work itself, so it needs no parent.
        endedSpan(context.active(), SPAN_NAMES.handshake, SpanKind.SERVER, ms, attributes, status >= 500 ? { code } : undefined);
      }),
    );
  }

  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      for (const off of offs) off();
    },
  };
}

/** The stable code of an error (`ERR_…`) for the span status, never a message that could carry data. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}
