// What cc-mem-observed adds to cc-mem, shared with the in-process measurement
// (bench/observer-cost.mjs) so both measure the same configuration:
// - @coatcheck/prometheus on a prom-client Registry: every store call observed;
// - @coatcheck/opentelemetry on an SDK tracer provider (default sampler: every trace) whose
//   batch processor hands every span to an exporter that drops it, so the figure is the cost
//   of recording, not of a collector;
// - what an app tracing HTTP has around it: a context manager on AsyncLocalStorage and a
//   SERVER span per request made active around the handler, as @opentelemetry/sdk-node with
//   the HTTP instrumentation does. The session spans are children of that span (without one,
//   `traceSessions` makes none by default, `requireParentSpan`), and the figure includes the
//   request span's own cost.
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { collectSessionMetrics } from '@coatcheck/prometheus';
import { traceSessions } from '@coatcheck/opentelemetry';
import { Registry } from 'prom-client';

const dropping = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };

/**
 * What @opentelemetry/context-async-hooks' AsyncLocalStorageContextManager does on the
 * request path (`with` is `AsyncLocalStorage#run`), kept here so the bench needs no package
 * more.
 */
class StorageContextManager {
  #storage = new AsyncLocalStorage();
  active() {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with(ctx, fn, thisArg, ...args) {
    return this.#storage.run(ctx, thisArg === undefined ? fn : fn.bind(thisArg), ...args);
  }
  bind(ctx, target) {
    return typeof target === 'function' ? (...args) => this.with(ctx, target, undefined, ...args) : target;
  }
  enable() {
    return this;
  }
  disable() {
    this.#storage.disable();
    return this;
  }
}

/** Registers the context manager and returns the tracer of a provider whose spans are dropped. */
export function createTracing() {
  context.setGlobalContextManager(new StorageContextManager());
  return new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] }).getTracer('bench');
}

/** The `observe` argument of startCoatcheckServer: metrics and traces of `manager`. */
export function observeBoth(tracer, { metrics = true, traces = true } = {}) {
  return (manager) => {
    if (metrics) collectSessionMetrics(manager, { registry: new Registry() });
    if (traces) traceSessions(manager, { tracer });
  };
}

/**
 * Runs `respond(span)` inside a SERVER span for one request, as an HTTP instrumentation does;
 * `respond` returns the status code once answered.
 */
export async function traceRequest(tracer, method, path, respond) {
  const span = tracer.startSpan(method, {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': method, 'url.path': path, 'url.scheme': 'http', 'server.address': '127.0.0.1' },
  });
  try {
    const status = await context.with(trace.setSpan(context.active(), span), respond);
    span.setAttribute('http.response.status_code', status);
  } finally {
    span.end();
  }
}

/** A Fastify `serverFactory`: an http server whose every request runs in its SERVER span. */
export function tracedServerFactory(tracer, createServer) {
  return (handler) =>
    createServer((req, res) => {
      void traceRequest(tracer, req.method, req.url, () => {
        const answered = new Promise((resolve) => res.once('finish', () => resolve(res.statusCode)));
        handler(req, res);
        return answered;
      });
    });
}
