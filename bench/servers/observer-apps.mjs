// The apps bench/observer-cost.mjs measures through `app.inject`, one process each: b's bare
// Fastify, cc-mem and cc-mem-observed, built by the same code as their servers, and each
// exporter alone, and the request span alone. `request(inject)` answers one request as the app's server would (inside a
// request span, when it traces HTTP).
import { context, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import Fastify from 'fastify';
import { memoryStore } from 'coatcheck/memory';
import { buildCoatcheckApp } from './cc-app.mjs';
import { createTracing, observeBoth, traceRequest } from './observe-both.mjs';

const plain = (inject) => inject();

async function observed(options) {
  const tracer = options.traces === false && !options.http ? null : createTracing();
  const app = await buildCoatcheckApp(memoryStore({ quiet: true }), {}, observeBoth(tracer, options));
  const request = tracer === null ? plain : (inject) => traceRequest(tracer, 'GET', '/me', async () => (await inject()).statusCode);
  return { app, request };
}

export const APPS = {
  b: async () => {
    const app = Fastify({ logger: false });
    const user = { userId: 'u_42', counter: 0 };
    app.post('/login', async () => ({ ok: true }));
    app.get('/me', async () => ({ userId: user.userId, counter: user.counter }));
    return { app, request: plain };
  },
  'cc-mem': async () => ({ app: await buildCoatcheckApp(memoryStore({ quiet: true })), request: plain }),
  'cc-mem-observed': () => observed({}),
  'cc-mem-metrics': () => observed({ traces: false }),
  'cc-mem-traces': () => observed({ metrics: false }),
  // The app's own HTTP tracing without either exporter: what the request span costs alone.
  'cc-mem-http-traced': () => observed({ metrics: false, traces: false, http: true }),
};

/**
 * The store-call listener of each exporter called directly, ns per call (median of 5 batches
 * of `n`): what one store call costs them, and what a request span costs the app. A store
 * call as the core reports it; a manager stand-in that only hands the listener over.
 */
export function measureListeners(n) {
  const call = { op: 'get', ms: 0.012, outcome: 'ok', id: 'AbCdEfGhIjKlMnOpQrStUvWx' };
  const standIn = () => {
    const manager = { listener: null, events: { on: () => () => {} }, store: { name: 'memory' } };
    manager.onStoreCall = (listener) => {
      manager.listener = listener;
      return () => {};
    };
    return manager;
  };
  const rows = [];
  const time = (label, fn) => {
    for (let i = 0; i < 20_000; i++) fn();
    const batches = [];
    for (let r = 0; r < 5; r++) {
      const before = process.cpuUsage();
      for (let i = 0; i < n; i++) fn();
      const used = process.cpuUsage(before);
      batches.push(((used.user + used.system) * 1000) / n);
    }
    rows.push([label, batches.sort((a, b) => a - b)[2]]);
  };
  const tracer = createTracing();
  const metrics = standIn();
  observeBoth(null, { traces: false })(metrics);
  time('@coatcheck/prometheus listener', () => metrics.listener(call));
  const traces = standIn();
  observeBoth(tracer, { metrics: false })(traces);
  time('@coatcheck/opentelemetry listener, no active span', () => traces.listener(call));
  withRequestSpan(tracer, true, () => time('@coatcheck/opentelemetry listener, in a recorded request span', () => traces.listener(call)));
  withRequestSpan(tracer, false, () => time('@coatcheck/opentelemetry listener, in a sampled-out request span', () => traces.listener(call)));
  time("the app's request span (SDK start + end)", () =>
    tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.path': '/me' } }).end(),
  );
  return rows;
}

function withRequestSpan(tracer, recorded, run) {
  const span = recorded ? tracer.startSpan('GET') : trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.NONE });
  context.with(trace.setSpan(context.active(), span), run);
  span.end();
}
