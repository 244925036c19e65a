import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countSqliteSessions } from '../src/backends.js';
import { createBrowser, createShop, loggedIn, ticketId } from './helpers.js';

/** Parses the exposition text into `series -> value`. */
function parse(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

describe('GET /metrics', () => {
  it('is Prometheus text, without a session or cookie', async () => {
    const { app } = await createShop();
    const res = await app.inject({ url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(res.headers['set-cookie'], undefined);
    // Every non-comment line is `name{labels} value`; every metric has HELP and TYPE.
    for (const line of res.body.trim().split('\n')) {
      if (line === '') continue;
      assert.match(line, /^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? [0-9.e+-]+)$/, line);
    }
    const values = parse(res.body);
    assert.equal(values.get('coatcheck_realtime_connections'), 0);
    assert.equal(values.get('coatcheck_sessions_created_total'), 0);
    assert.equal(values.get('coatcheck_refresh_token_reuse_total'), 0, 'the token service is followed');
  });

  it('counts sessions created, logins, logouts and revocations, and times store calls', async () => {
    const { app } = await createShop();
    const laptop = await loggedIn(app, 'alice');
    const phone = await loggedIn(app, 'alice');
    const third = await loggedIn(app, 'alice');
    await laptop.delete(`/sessions/${ticketId(phone.cookie as string)}`);
    await third.post('/logout');
    await createBrowser(app).post('/cart/add', { item_id: 1 });
    const values = parse((await app.inject({ url: '/metrics' })).body);
    // Each login writes a new record (created) and is an upgrade; the anonymous cart is one more.
    assert.equal(values.get('coatcheck_sessions_created_total'), 4);
    assert.equal(values.get('coatcheck_sessions_upgraded_total'), 3);
    assert.equal(values.get('coatcheck_sessions_revoked_total{reason="revoke"}'), 1);
    assert.equal(values.get('coatcheck_sessions_destroyed_total{reason="logout"}'), 1);
    // Logins create under the cap on devices (MAX_DEVICES): createCapped; the cart's session is a plain create.
    assert.ok((values.get('coatcheck_store_call_duration_seconds_count{operation="createCapped",outcome="ok"}') ?? 0) >= 3);
    assert.ok((values.get('coatcheck_store_call_duration_seconds_count{operation="create",outcome="ok"}') ?? 0) >= 1);
    assert.ok((values.get('coatcheck_store_call_duration_seconds_count{operation="get",outcome="ok"}') ?? 0) >= 1);
    assert.deepEqual(
      [...values.keys()].filter((series) => series.includes('outcome="error"')),
      [],
      'no store call failed',
    );
  });

  it('counts store errors by operation', async () => {
    const { app, db } = await createShop();
    const browser = await loggedIn(app, 'bob');
    db.close();
    const res = await browser.get('/profile');
    assert.equal(res.statusCode, 503);
    const values = parse((await app.inject({ url: '/metrics' })).body);
    assert.equal(values.get('coatcheck_store_call_duration_seconds_count{operation="get",outcome="error"}'), 1);
  });

  it('counts write conflicts: concurrent adds to one cart lose the version check and replay', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 6 });
    await Promise.all(Array.from({ length: 20 }, () => browser.post('/cart/add', { item_id: 1 })));
    assert.deepEqual((await browser.get('/cart')).json().cart[1], { item_id: 1, quantity: 20 });
    const values = parse((await app.inject({ url: '/metrics' })).body);
    assert.ok((values.get('coatcheck_store_call_duration_seconds_count{operation="update",outcome="conflict"}') ?? 0) > 0);
  });

  it('reports live sessions when the store can count them (SQLite), not expired ones', async () => {
    const { app, clock } = await createShop({ app: { activeSessions: countSqliteSessions } });
    const live = async () => parse((await app.inject({ url: '/metrics' })).body).get('coatcheck_sessions_active');
    assert.equal(await live(), 0);
    const alice = await loggedIn(app, 'alice');
    await createBrowser(app).post('/cart/add', { item_id: 1 });
    assert.equal(await live(), 2);
    await alice.post('/logout');
    assert.equal(await live(), 1);
    clock.advance(31 * 60_000);
    assert.equal(await live(), 0, 'the idle anonymous cart expired');
  });

  it('leaves the live-session gauge out when the store cannot count cheaply', async () => {
    const { app } = await createShop();
    assert.doesNotMatch((await app.inject({ url: '/metrics' })).body, /coatcheck_sessions_active/);
  });

  it('counts CSRF refusals by reason', async () => {
    const { app } = await createShop();
    const browser = await loggedIn(app, 'carol');
    const refused = await app.inject({
      method: 'POST',
      url: '/cart/add',
      payload: { item_id: 1 },
      headers: { cookie: browser.cookie as string, origin: 'https://evil.example' },
    });
    assert.equal(refused.statusCode, 403);
    const values = parse((await app.inject({ url: '/metrics' })).body);
    assert.equal(values.get('coatcheck_csrf_refusals_total{reason="origin"}'), 1);
    assert.equal(values.get('coatcheck_csrf_refusals_total{reason="cross-site"}'), 0);
  });
});
