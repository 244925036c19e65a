// An OpenTelemetry SDK for the tests: spans kept in memory, and the AsyncLocalStorage context
// manager so a span made active around a request is the parent of what the request does.
import { context, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

/** A provider whose finished spans the test reads. */
export function createTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    provider,
    tracer: provider.getTracer('test'),
    /** The finished spans since the last call. */
    take(): ReadableSpan[] {
      const spans = exporter.getFinishedSpans();
      exporter.reset();
      return spans;
    },
  };
}

/** Every attribute value of the spans and their events, as text. */
export function everyAttribute(spans: readonly ReadableSpan[]): string {
  const all: Attributes[] = spans.flatMap((span) => [span.attributes, ...span.events.map((event) => event.attributes ?? {})]);
  return JSON.stringify(all);
}

/** Milliseconds between two `[seconds, nanoseconds]` times. */
export function msBetween(start: readonly [number, number], end: readonly [number, number]): number {
  return (end[0] - start[0]) * 1000 + (end[1] - start[1]) / 1e6;
}
