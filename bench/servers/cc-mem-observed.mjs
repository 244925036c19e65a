// (cc-mem-observed) cc-mem with both exporters on: @coatcheck/prometheus on a prom-client
// Registry and @coatcheck/opentelemetry on an SDK tracer provider whose batch processor hands
// every span to an exporter that drops it, so the figure is the cost of recording, not of a
// collector. Run with --conditions=source --import tsx.
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { collectSessionMetrics } from '@coatcheck/prometheus';
import { traceSessions } from '@coatcheck/opentelemetry';
import { memoryStore } from 'coatcheck/memory';
import { Registry } from 'prom-client';
import { startCoatcheckServer } from './cc-app.mjs';

const dropping = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] });

await startCoatcheckServer(memoryStore({ quiet: true }), {}, (manager) => {
  collectSessionMetrics(manager, { registry: new Registry() });
  traceSessions(manager, { tracer: provider.getTracer('bench') });
});
