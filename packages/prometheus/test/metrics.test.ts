// The metrics after real requests through the Fastify plugin on a SQLite store: the session
// lifecycle, store calls by operation and outcome (a closed store for errors), CSRF refusals,
// refresh-token reuse, open sockets and handshakes; labels never carry an id.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { collectSessionMetrics } from '../src/index.js';
import { cookieOf, login, openSocket, refusedSocket, startApp, waitFor } from '@coatcheck/testkit/observed-app';

/** The exposition text as `series -> value`. */
async function scrape(registry: Registry): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  for (const line of (await registry.metrics()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

/** Every label value of the exposition text. */
async function labelValues(registry: Registry): Promise<Set<string>> {
  return new Set([...(await registry.metrics()).matchAll(/[a-z_]+="([^"]*)"/g)].map((m) => m[1] as string));
}

async function observed() {
  const parts = await startApp();
  const registry = new Registry();
  const metrics = collectSessionMetrics(parts.manager, { registry, hub: parts.hub, tokens: parts.tokens });
  return { ...parts, registry, metrics };
}

describe('collectSessionMetrics', () => {
  it('counts the session lifecycle and times store calls by operation and outcome', async () => {
    const { app, registry } = await observed();
    const before = await scrape(registry);
    assert.equal(before.get('coatcheck_sessions_created_total'), 0);
    assert.equal(before.get('coatcheck_sessions_destroyed_total{reason="logout"}'), 0, 'known reasons start at 0');
    assert.equal(before.get('coatcheck_csrf_refusals_total{reason="origin"}'), 0);

    const cart = cookieOf(await app.inject({ method: 'POST', url: '/cart' }));
    const laptop = await login(app, 'alice');
    const phone = await login(app, 'alice');
    const upgraded = await app.inject({ method: 'POST', url: '/login', payload: { user: 'alice' }, headers: { cookie: cart } });
    assert.equal(upgraded.statusCode, 200);
    await app.inject({ method: 'POST', url: '/regenerate', headers: { cookie: laptop.cookie } });
    // The ticket rotated away: its record is gone, and the read misses.
    assert.equal((await app.inject({ url: '/me', headers: { cookie: laptop.cookie } })).json().userId, null);
    const revoke = await app.inject({ method: 'DELETE', url: `/sessions/${phone.id}`, headers: { cookie: cookieOf(upgraded) } });
    assert.deepEqual(revoke.json(), { revoked: true });
    await app.inject({ method: 'POST', url: '/logout', headers: { cookie: cookieOf(upgraded) } });

    const values = await scrape(registry);
    // The anonymous cart and three logins write four records; a regeneration writes one more.
    assert.equal(values.get('coatcheck_sessions_created_total'), 5);
    assert.equal(values.get('coatcheck_sessions_upgraded_total'), 3);
    assert.equal(values.get('coatcheck_sessions_regenerated_total'), 1);
    assert.equal(values.get('coatcheck_sessions_revoked_total{reason="revoke"}'), 1);
    assert.equal(values.get('coatcheck_sessions_destroyed_total{reason="logout"}'), 1);
    assert.equal(values.get('coatcheck_store_call_duration_seconds_count{operation="create",outcome="ok"}'), 5);
    assert.ok((values.get('coatcheck_store_call_duration_seconds_count{operation="get",outcome="ok"}') ?? 0) >= 4);
    assert.ok((values.get('coatcheck_store_call_duration_seconds_count{operation="delete",outcome="ok"}') ?? 0) >= 3);
    assert.ok((values.get('coatcheck_store_call_duration_seconds_count{operation="get",outcome="miss"}') ?? 0) >= 1);
    assert.ok((values.get('coatcheck_store_call_duration_seconds_sum{operation="create",outcome="ok"}') ?? -1) >= 0);
    assert.equal(values.get('coatcheck_store_call_duration_seconds_count{operation="get",outcome="error"}'), undefined);

    const allowed = new Set([
      ...['get', 'create', 'createCapped', 'update', 'touch', 'delete', 'listByUser', 'deleteByUser', 'ping', 'appendHistory', 'readHistory'],
      ...['ok', 'miss', 'conflict', 'error'],
      ...['logout', 'destroy', 'revoke', 'revoke-others', 'revoke-all', 'session-limit'],
      ...['cross-site', 'origin', 'token-missing', 'token-invalid'],
    ]);
    for (const value of await labelValues(registry)) {
      assert.ok(allowed.has(value) || /^(\+Inf|[0-9.e+-]+)$/.test(value), `label value ${value} is one of a fixed set`);
    }
    for (const id of [laptop.id, phone.id]) assert.ok(!(await registry.metrics()).includes(id), 'no session id in the metrics');
  });

  it('counts a failed store call as outcome="error" when the store is closed', async () => {
    const { app, store, registry } = await observed();
    const { cookie } = await login(app, 'bob');
    await store.close();
    const res = await app.inject({ url: '/me', headers: { cookie } });
    assert.equal(res.statusCode, 503);
    const values = await scrape(registry);
    assert.equal(values.get('coatcheck_store_call_duration_seconds_count{operation="get",outcome="error"}'), 1);
  });

  it('counts each store call once in its own series, also after registry.resetMetrics(), and a second collection apart', async () => {
    const { app, manager, registry } = await observed();
    const { cookie } = await login(app, 'carol');
    const gets = async (n: number) => {
      for (let i = 0; i < n; i++) assert.equal((await app.inject({ url: '/me', headers: { cookie } })).json().userId, 'carol');
    };
    const series = 'coatcheck_store_call_duration_seconds_count{operation="get",outcome="ok"}';
    const first = (await scrape(registry)).get(series) ?? 0;
    await gets(3);
    assert.equal((await scrape(registry)).get(series), first + 3);
    registry.resetMetrics();
    await gets(2);
    const values = await scrape(registry);
    assert.equal(values.get(series), 2, 'counted again after the reset');
    assert.equal(values.get('coatcheck_store_call_duration_seconds_count{operation="get",outcome="miss"}'), undefined);
    // Another collection on its own registry (a prefix of its own) counts from its start only.
    const other = new Registry();
    const second = collectSessionMetrics(manager, { registry: other, prefix: 'other_' });
    await gets(1);
    assert.equal((await scrape(other)).get(series.replace('coatcheck_', 'other_')), 1);
    assert.equal((await scrape(registry)).get(series), 3);
    second.stop();
  });

  it('counts CSRF refusals by reason', async () => {
    const { app, registry } = await observed();
    const { cookie } = await login(app, 'carol');
    const origin = await app.inject({ method: 'POST', url: '/cart', headers: { cookie, origin: 'https://evil.example' } });
    const site = await app.inject({ method: 'POST', url: '/cart', headers: { cookie, 'sec-fetch-site': 'cross-site' } });
    assert.deepEqual([origin.statusCode, site.statusCode], [403, 403]);
    const values = await scrape(registry);
    assert.equal(values.get('coatcheck_csrf_refusals_total{reason="origin"}'), 1);
    assert.equal(values.get('coatcheck_csrf_refusals_total{reason="cross-site"}'), 1);
    assert.equal(values.get('coatcheck_csrf_refusals_total{reason="token-missing"}'), 0);
  });

  it('times refreshes by outcome and counts refresh-token reuse', async () => {
    const { app, registry } = await observed();
    const first = (await app.inject({ method: 'POST', url: '/token/login', payload: { user: 'dave' } })).json();
    const refresh = (token: string) => app.inject({ method: 'POST', url: '/token/refresh', payload: { refresh_token: token } });
    const second = (await refresh(first.refresh_token)).json();
    assert.equal((await refresh(second.refresh_token)).statusCode, 200);
    assert.equal((await refresh(first.refresh_token)).statusCode, 400, 'rotated twice: a replay');
    assert.equal((await refresh('nonsense')).statusCode, 400);
    const values = await scrape(registry);
    assert.equal(values.get('coatcheck_refresh_token_reuse_total'), 1);
    assert.equal(values.get('coatcheck_token_refresh_duration_seconds_count{outcome="rotated"}'), 2);
    assert.equal(values.get('coatcheck_token_refresh_duration_seconds_count{outcome="reused"}'), 1);
    assert.equal(values.get('coatcheck_token_refresh_duration_seconds_count{outcome="invalid"}'), 1);
  });

  it('reads open sockets at scrape time and counts handshakes by outcome and code', async () => {
    const { app, registry, wsUrl, origin } = await observed();
    const { cookie } = await login(app, 'erin');
    assert.equal((await scrape(registry)).get('coatcheck_realtime_connections'), 0);
    const socket = await openSocket(wsUrl, { cookie, origin });
    assert.equal(await refusedSocket(wsUrl, { cookie, origin: 'https://evil.example' }), 403);
    assert.equal(await refusedSocket(wsUrl, { origin }), 401);
    const values = await scrape(registry);
    assert.equal(values.get('coatcheck_realtime_connections'), 1);
    assert.equal(values.get('coatcheck_realtime_handshakes_total{outcome="accepted"}'), 1);
    assert.equal(values.get('coatcheck_realtime_handshakes_total{outcome="refused",code="ERR_REALTIME_ORIGIN"}'), 1);
    assert.equal(values.get('coatcheck_realtime_handshakes_total{outcome="refused",code="ERR_REALTIME_UNAUTHENTICATED"}'), 1);
    socket.close();
    await waitFor('the socket to close', async () => (await scrape(registry)).get('coatcheck_realtime_connections') === 0);
  });
});
