// Spans after real requests through the Fastify plugin on a SQLite store, captured by the
// SDK's in-memory exporter: names, kinds, parents, `session.id` equal to the public id and
// `session.previous_id` on rotations, errors from a closed store, refreshes, handshakes; and
// never a ticket, a secret or a token in any attribute.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SessionConfigError } from 'coatcheck';
import { cookieOf, login, openSocket, refusedSocket, startApp } from '@coatcheck/testkit/observed-app';
import { ATTRIBUTES, EVENT_NAMES, SPAN_NAMES, traceSessions } from '../src/index.js';
import { createTracing, everyAttribute, msBetween } from './tracing.js';

/** Traced with `requireParentSpan: false`: spans also for work outside a request span. */
async function traced() {
  const parts = await startApp();
  const tracing = createTracing();
  const stop = traceSessions(parts.manager, { tracer: tracing.tracer, hub: parts.hub, tokens: parts.tokens, requireParentSpan: false });
  return { ...parts, ...tracing, tracing: stop };
}

const named = (spans: readonly ReadableSpan[], name: string) => spans.filter((span) => span.name === name);
/** `name op:outcome` of store-call spans, `name` of the others. */
const summary = (spans: readonly ReadableSpan[]) =>
  spans.map((span) =>
    span.attributes[ATTRIBUTES.storeOperation] === undefined
      ? span.name
      : `${span.name} ${span.attributes[ATTRIBUTES.storeOperation]}:${span.attributes[ATTRIBUTES.storeOutcome]}`,
  );

describe('traceSessions', () => {
  it('a login inside a request span: load, commit and revoke spans as its children, the upgrade as its event; no ticket anywhere', async () => {
    const { app, tracer, take } = await traced();
    const cartRes = await app.inject({ method: 'POST', url: '/cart' });
    const cart = cookieOf(cartRes);
    const anonymousId = cart.split('=')[1]?.slice(0, 24) as string;
    const first = take();
    // No span was active: the commit is a root span, and the creation a span of its own.
    assert.deepEqual(summary(first), [`${SPAN_NAMES.commit} create:ok`, EVENT_NAMES.created]);
    assert.equal(first[0]?.parentSpanContext, undefined);
    assert.equal(first[0]?.kind, SpanKind.CLIENT);
    assert.equal(first[0]?.attributes[ATTRIBUTES.sessionId], anonymousId);
    assert.equal(first[0]?.attributes[ATTRIBUTES.storeName], 'sqlite');
    assert.ok(msBetween(first[0]?.startTime as [number, number], first[0]?.endTime as [number, number]) >= 0);
    assert.equal(first[1]?.attributes[ATTRIBUTES.sessionId], anonymousId);

    const res = await tracer.startActiveSpan('POST /login', async (request) => {
      try {
        return await app.inject({ method: 'POST', url: '/login', payload: { user: 'alice' }, headers: { cookie: cart } });
      } finally {
        request.end();
      }
    });
    const newId = res.json().id as string;
    const spans = take();
    const request = named(spans, 'POST /login')[0] as ReadableSpan;
    const children = spans.filter((span) => span !== request);
    assert.deepEqual(summary(children), [
      `${SPAN_NAMES.load} get:ok`, // the request's load
      `${SPAN_NAMES.load} get:ok`, // the login's read under the lock
      `${SPAN_NAMES.commit} create:ok`,
      `${SPAN_NAMES.revoke} delete:ok`,
      `${SPAN_NAMES.history} appendHistory:ok`, // the login in the session history
    ]);
    for (const child of children) assert.equal(child.parentSpanContext?.spanId, request.spanContext().spanId, `${child.name} is a child of the request`);
    assert.deepEqual(
      children.map((span) => span.attributes[ATTRIBUTES.sessionId]),
      [anonymousId, anonymousId, newId, anonymousId, undefined],
    );
    assert.deepEqual(
      request.events.map((event) => [event.name, event.attributes]),
      [
        [EVENT_NAMES.created, { [ATTRIBUTES.sessionId]: newId }],
        [EVENT_NAMES.upgraded, { [ATTRIBUTES.sessionId]: newId, [ATTRIBUTES.previousSessionId]: anonymousId }],
      ],
    );
    const ticket = cookieOf(res).split('=')[1] as string;
    assert.ok(ticket.startsWith(`${newId}.`), 'the ticket is the public id, its secret and a signature');
    const text = everyAttribute([...first, ...spans]);
    for (const secret of [ticket, ticket.split('.')[1] as string, cart.split('=')[1] as string, (cart.split('=')[1] as string).split('.')[1] as string]) {
      assert.ok(!text.includes(secret), 'no ticket or ticket secret in any attribute');
    }
  });

  it('a regeneration carries session.previous_id; destroy, revoke and CSRF refusals are events of the request span', async () => {
    const { app, tracer, take } = await traced();
    const laptop = await login(app, 'bob');
    const phone = await login(app, 'bob');
    take();
    const inRequest = <T>(name: string, run: () => Promise<T>) =>
      tracer.startActiveSpan(name, async (span) => {
        try {
          return await run();
        } finally {
          span.end();
        }
      });
    const regenerated = await inRequest('POST /regenerate', () => app.inject({ method: 'POST', url: '/regenerate', headers: { cookie: laptop.cookie } }));
    const laptopCookie = cookieOf(regenerated);
    await inRequest('DELETE /sessions/:id', () => app.inject({ method: 'DELETE', url: `/sessions/${phone.id}`, headers: { cookie: laptopCookie } }));
    await inRequest('POST /cart', () => app.inject({ method: 'POST', url: '/cart', headers: { cookie: laptopCookie, origin: 'https://evil.example' } }));
    await inRequest('POST /logout', () => app.inject({ method: 'POST', url: '/logout', headers: { cookie: laptopCookie } }));
    const events = take()
      .filter((span) => span.kind === SpanKind.INTERNAL && span.events.length > 0)
      .flatMap((span) => span.events.map((event) => [span.name, event.name, event.attributes]));
    const newId = regenerated.json().id as string;
    assert.deepEqual(events, [
      ['POST /regenerate', EVENT_NAMES.created, { [ATTRIBUTES.sessionId]: newId }],
      ['POST /regenerate', EVENT_NAMES.regenerated, { [ATTRIBUTES.sessionId]: newId, [ATTRIBUTES.previousSessionId]: laptop.id }],
      ['DELETE /sessions/:id', EVENT_NAMES.revoked, { [ATTRIBUTES.sessionIds]: [phone.id], [ATTRIBUTES.reason]: 'revoke' }],
      ['POST /cart', EVENT_NAMES.csrfRefused, { [ATTRIBUTES.reason]: 'origin', [ATTRIBUTES.sessionId]: newId }],
      ['POST /logout', EVENT_NAMES.destroyed, { [ATTRIBUTES.sessionId]: newId, [ATTRIBUTES.reason]: 'logout' }],
    ]);
  });

  it('touch: a load and a touch span with the session id, once the touch is due', async () => {
    const { app, manager, advance, take } = await traced();
    const { id } = await login(app, 'carol');
    take();
    advance(61_000);
    assert.ok(await manager.touch(id));
    assert.deepEqual(summary(take()), [`${SPAN_NAMES.load} get:ok`, `${SPAN_NAMES.touch} touch:ok`]);
  });

  it('a closed store: the load span has status ERROR with the code and the exception', async () => {
    const { app, store, take } = await traced();
    const { cookie, id } = await login(app, 'dave');
    take();
    await store.close();
    assert.equal((await app.inject({ url: '/me', headers: { cookie } })).statusCode, 503);
    const [load] = take();
    assert.equal(load?.name, SPAN_NAMES.load);
    assert.equal(load?.attributes[ATTRIBUTES.storeOutcome], 'error');
    assert.equal(load?.attributes[ATTRIBUTES.sessionId], id);
    assert.deepEqual(load?.status, { code: SpanStatusCode.ERROR, message: 'ERR_SESSION_STORE_UNAVAILABLE' });
    assert.equal(load?.events[0]?.name, 'exception');
    assert.equal(load?.events[0]?.attributes?.['exception.type'], 'ERR_SESSION_STORE_UNAVAILABLE');
  });

  it('refreshes: a span per rotation with its outcome and session id; no token in the attributes', async () => {
    const { app, take } = await traced();
    const first = (await app.inject({ method: 'POST', url: '/token/login', payload: { user: 'erin' } })).json();
    const refresh = (token: string) => app.inject({ method: 'POST', url: '/token/refresh', payload: { refresh_token: token } });
    const sid = (first.refresh_token as string).split('.')[0] as string;
    take();
    const second = (await refresh(first.refresh_token)).json();
    await refresh(second.refresh_token);
    await refresh(first.refresh_token);
    await refresh('nonsense');
    const spans = take();
    const refreshes = named(spans, SPAN_NAMES.refresh);
    assert.deepEqual(
      refreshes.map((span) => [span.attributes[ATTRIBUTES.refreshOutcome], span.attributes[ATTRIBUTES.sessionId]]),
      [
        ['rotated', sid],
        ['rotated', sid],
        ['reused', sid],
        ['invalid', undefined],
      ],
    );
    for (const span of refreshes) assert.equal(span.status.code, SpanStatusCode.UNSET, 'a refusal is an answer, not a failure');
    const text = everyAttribute(spans);
    for (const token of [first.refresh_token, first.access_token, second.refresh_token]) assert.ok(!text.includes(token));
    assert.ok(!text.includes((first.refresh_token as string).split('.')[1] as string), 'nor the refresh secret');
  });

  it('handshakes: a SERVER span per answered upgrade, with the status, the code of a refusal and the session id', async () => {
    const { app, wsUrl, origin, take } = await traced();
    const { cookie, id } = await login(app, 'frank');
    take();
    const socket = await openSocket(wsUrl, { cookie, origin });
    assert.equal(await refusedSocket(wsUrl, { cookie, origin: 'https://evil.example' }), 403);
    const handshakes = named(take(), SPAN_NAMES.handshake);
    assert.deepEqual(
      handshakes.map((span) => [span.kind, span.attributes, span.status.code]),
      [
        [SpanKind.SERVER, { [ATTRIBUTES.httpStatus]: 101, [ATTRIBUTES.sessionId]: id }, SpanStatusCode.UNSET],
        [SpanKind.SERVER, { [ATTRIBUTES.httpStatus]: 403, [ATTRIBUTES.realtimeCode]: 'ERR_REALTIME_ORIGIN' }, SpanStatusCode.UNSET],
      ],
    );
    socket.close();
  });

  it('requireParentSpan by default: nothing outside a span; inside one, its children; handshakes always', async () => {
    const { app, manager, hub, tokens, wsUrl, origin } = await startApp();
    const { tracer, take } = createTracing();
    traceSessions(manager, { tracer, hub, tokens });
    const { cookie, id } = await login(app, 'heidi');
    await app.inject({ url: '/me', headers: { cookie } });
    await app.inject({ method: 'POST', url: '/token/login', payload: { user: 'heidi' } });
    assert.deepEqual(take(), [], 'no span without an active one: no store call, lifecycle event or refresh span');

    await tracer.startActiveSpan('GET /me', async (request) => {
      await app.inject({ url: '/me', headers: { cookie } });
      request.end();
    });
    const spans = take();
    assert.deepEqual(summary(spans), [`${SPAN_NAMES.load} get:ok`, 'GET /me']);
    assert.equal(spans[0]?.parentSpanContext?.spanId, spans[1]?.spanContext().spanId);

    const socket = await openSocket(wsUrl, { cookie, origin });
    assert.deepEqual(
      named(take(), SPAN_NAMES.handshake).map((span) => span.attributes[ATTRIBUTES.sessionId]),
      [id],
    );
    socket.close();
  });

  it('a request span sampled out: no span and no error work; a bad requireParentSpan is refused', async () => {
    const { app, manager, store } = await startApp();
    const { tracer, take } = createTracing();
    traceSessions(manager, { tracer });
    const { cookie } = await login(app, 'ivan');
    // What a sampler that dropped the request leaves active: a span that records nothing.
    const dropped = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.NONE });
    await store.close();
    const res = await context.with(trace.setSpan(context.active(), dropped), () => app.inject({ url: '/me', headers: { cookie } }));
    assert.equal(res.statusCode, 503);
    assert.deepEqual(take(), []);
    assert.throws(() => traceSessions(manager, { tracer, requireParentSpan: 'yes' as unknown as boolean }), SessionConfigError);
  });

  it("stop() ends tracing; without a tracer, the global provider's is used", async () => {
    const { app, manager, hub, tokens } = await startApp();
    const tracing = createTracing();
    trace.setGlobalTracerProvider(tracing.provider);
    try {
      const traced = traceSessions(manager, { hub, tokens, requireParentSpan: false });
      await login(app, 'grace');
      const spans = tracing.take();
      assert.ok(named(spans, SPAN_NAMES.commit).length === 1);
      assert.equal(spans[0]?.instrumentationScope.name, '@coatcheck/opentelemetry');
      traced.stop();
      traced.stop();
      await login(app, 'grace');
      assert.deepEqual(tracing.take(), []);
    } finally {
      trace.disable();
    }
  });
});
