// Traces are off unless configured (OTEL_TRACES=1 → `tracing: true`); on, session work inside
// a traced request shows up as spans of the global tracer provider an OpenTelemetry SDK
// registered, as children of the request's span.
import { AsyncLocalStorage } from 'node:async_hooks';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, ROOT_CONTEXT, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createShop, loggedIn, PASSWORD, ticketId } from './helpers.js';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
// What the SDK's AsyncLocalStorage context manager does, so a request's span is active
// through its awaits (as the SDK's HTTP instrumentation makes it).
const storage = new AsyncLocalStorage<Context>();
const manager: ContextManager = {
  active: () => storage.getStore() ?? ROOT_CONTEXT,
  with: (ctx, fn, thisArg, ...args) => storage.run(ctx, () => fn.apply(thisArg, args)),
  bind: (_ctx, target) => target,
  enable: () => manager,
  disable: () => manager,
};
context.setGlobalContextManager(manager);
after(() => {
  trace.disable();
  context.disable();
});

/** Runs `work` inside an active request span, as an HTTP instrumentation does. */
const inRequest = <T>(work: () => Promise<T>): Promise<T> =>
  trace.getTracer('http').startActiveSpan('request', async (span) => {
    try {
      return await work();
    } finally {
      span.end();
    }
  });

const take = () => {
  const spans = exporter.getFinishedSpans();
  exporter.reset();
  return spans;
};

describe('tracing', () => {
  it('is off by default: no span even with an SDK registered', async () => {
    const { app } = await createShop();
    await inRequest(() => loggedIn(app, 'alice'));
    assert.deepEqual(
      take().map((span) => span.name),
      ['request'],
    );
  });

  it('on: a login is a commit span with the public session id, and a refresh is traced too', async () => {
    const { app } = await createShop({ app: { tracing: true } });
    const browser = await inRequest(() => loggedIn(app, 'bob'));
    const id = ticketId(browser.cookie as string);
    const spans = take();
    const commits = spans.filter((span) => span.name === 'coatcheck.session.commit' && span.attributes['session.id'] === id);
    assert.equal(commits.length, 1, 'the login wrote the new record');
    // A login under the cap on devices (MAX_DEVICES) creates with createCapped.
    assert.equal(commits[0]?.attributes['coatcheck.store.operation'], 'createCapped');
    const login = await app.inject({ method: 'POST', url: '/token', payload: { username: 'bob', password: PASSWORD } });
    assert.equal(login.statusCode, 200);
    const refreshed = await inRequest(() => app.inject({ method: 'POST', url: '/token/refresh', payload: { refresh_token: login.json().refresh_token } }));
    assert.equal(refreshed.statusCode, 200);
    const refreshes = take().filter((span) => span.name === 'coatcheck.token.refresh');
    assert.deepEqual(
      refreshes.map((span) => span.attributes['coatcheck.refresh.outcome']),
      ['rotated'],
    );
  });
});
