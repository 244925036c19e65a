import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SqliteConnection } from '@coatcheck/sqlite';
import { createBrowser, createShop, setCookies } from './helpers.js';

/**
 * Another connection that holds the database's write lock until released. Opened with the
 * shop's own driver (one SQLite library per file in a process) and as it is, without
 * openSqliteDatabase's switch to WAL, which would change the journal mode under test.
 */
function holdExclusiveLock(db: SqliteConnection): { release(): void } {
  const Native = (db.native as { constructor: new (file: string) => { exec(sql: string): unknown; close(): unknown } }).constructor;
  const other = new Native(db.filename ?? '');
  other.exec('BEGIN EXCLUSIVE');
  return {
    release() {
      other.exec('ROLLBACK');
      other.close();
    },
  };
}

describe('health and store outages', () => {
  it('GET /health is 200 with the store latency, and sets no cookie', async () => {
    const { app } = await createShop();
    const res = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['status', 'checks']);
    assert.equal(body.status, 'ok');
    assert.equal(body.checks.store.status, 'ok');
    assert.equal(typeof body.checks.store.latencyMs, 'number');
    assert.equal(body.checks.store.service, 'sqlite');
    assert.equal(body.checks.users.status, 'ok');
    assert.ok(body.checks.store.latencyMs >= 0);
    assert.deepEqual(setCookies(res), []);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('GET /health is 503 when the database connection is gone, with no Set-Cookie even for a browser with a session', async () => {
    const { app, db } = await createShop();
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 1 });
    db.close();
    const res = await browser.get('/health');
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), {
      status: 'unavailable',
      checks: {
        store: { status: 'down', error: 'ERR_SESSION_STORE_UNAVAILABLE' },
        users: { status: 'down', error: 'ERR_SERVICE_DOWN' },
      },
    });
    assert.deepEqual(setCookies(res), []);
    assert.doesNotMatch(res.body, /not open|sqlite/i, 'driver details stay in the log');
  });

  it('a store outage is a 503 on session routes, never a logout or a cleared cookie', async () => {
    const { app, db } = await createShop();
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 1 });
    const cookie = browser.cookie;
    db.close();
    for (const res of [await browser.get('/cart'), await browser.post('/cart/add', { item_id: 2 }), await browser.get('/profile')]) {
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
      assert.deepEqual(setCookies(res), []);
    }
    assert.equal(browser.cookie, cookie);
  });

  it('SF-18 another connection holding BEGIN EXCLUSIVE past the busy timeout: writes get 503, then recover intact', async () => {
    const { app, db } = await createShop({ busyTimeoutMs: 50 });
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 1 });
    const cookie = browser.cookie;
    const lock = holdExclusiveLock(db);
    try {
      const res = await browser.post('/cart/add', { item_id: 2 });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
      assert.deepEqual(setCookies(res), []);
    } finally {
      lock.release();
    }
    assert.equal(browser.cookie, cookie);
    const after = await browser.post('/cart/add', { item_id: 2 });
    assert.equal(after.statusCode, 200);
    assert.deepEqual((await browser.get('/cart')).json(), {
      cart: [
        { item_id: 1, quantity: 1 },
        { item_id: 2, quantity: 1 },
      ],
    });
    assert.equal(db.prepare<{ integrity_check: string }>('PRAGMA integrity_check').get()?.integrity_check, 'ok');
  });

  // Fails today: @coatcheck/sqlite's ping() runs `SELECT 1`, which SQLite evaluates without
  // reading the database, so it succeeds while every real read fails with SQLITE_BUSY.
  it('SF-18 GET /health is 503 while the store cannot serve reads (rollback journal, exclusive lock held)', async () => {
    const { app, db } = await createShop({ journalMode: 'delete', busyTimeoutMs: 50 });
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 1 });
    const lock = holdExclusiveLock(db);
    try {
      const read = await browser.get('/cart');
      assert.equal(read.statusCode, 503, 'the store cannot serve a session read');
      const health = await browser.get('/health');
      assert.equal(health.statusCode, 503, `health must agree with the session routes; got ${health.body}`);
    } finally {
      lock.release();
    }
  });
});
