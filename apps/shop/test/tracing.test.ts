// Traces are off unless configured (OTEL_TRACES=1 → `tracing: true`); on, session work shows
// up as spans of the global tracer provider an OpenTelemetry SDK registered.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createShop, loggedIn, PASSWORD, ticketId } from './helpers.js';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
after(() => trace.disable());

const take = () => {
  const spans = exporter.getFinishedSpans();
  exporter.reset();
  return spans;
};

describe('tracing', () => {
  it('is off by default: no span even with an SDK registered', async () => {
    const { app } = await createShop();
    await loggedIn(app, 'alice');
    assert.deepEqual(
      take().map((span) => span.name),
      [],
    );
  });

  it('on: a login is a commit span with the public session id, and a refresh is traced too', async () => {
    const { app } = await createShop({ app: { tracing: true } });
    const browser = await loggedIn(app, 'bob');
    const id = ticketId(browser.cookie as string);
    const spans = take();
    const commits = spans.filter((span) => span.name === 'coatcheck.session.commit' && span.attributes['session.id'] === id);
    assert.equal(commits.length, 1, 'the login wrote the new record');
    assert.equal(commits[0]?.attributes['coatcheck.store.operation'], 'create');
    const login = await app.inject({ method: 'POST', url: '/token', payload: { username: 'bob', password: PASSWORD } });
    assert.equal(login.statusCode, 200);
    const refreshed = await app.inject({ method: 'POST', url: '/token/refresh', payload: { refresh_token: login.json().refresh_token } });
    assert.equal(refreshed.statusCode, 200);
    const refreshes = take().filter((span) => span.name === 'coatcheck.token.refresh');
    assert.deepEqual(
      refreshes.map((span) => span.attributes['coatcheck.refresh.outcome']),
      ['rotated'],
    );
  });
});
