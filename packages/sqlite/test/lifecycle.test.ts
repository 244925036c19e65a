// Construction, options, pragmas, pruning timer, close, and failures of the connection itself:
// every one of them either works or fails with a coatcheck error (SF-17, SF-18).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { MINUTE, buildRecord } from '@coatcheck/conformance';
import { isSessionError } from 'coatcheck/errors';
import { sqliteStore, type SqliteStoreOptions } from '@coatcheck/sqlite';
import { useTempDir } from './fixtures/temp-dir.js';

const path = useTempDir();

const hasCode =
  (code: string) =>
  (error: unknown): boolean => {
    assert.ok(isSessionError(error), `expected a coatcheck error, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };

describe('sqliteStore options', () => {
  const invalid: [string, SqliteStoreOptions][] = [
    ['a table name with a dash', { tableName: 'bad-name' }],
    ['a table name with SQL in it', { tableName: 'x"; DROP TABLE users; --' }],
    ['a table name starting with a digit', { tableName: '1sessions' }],
    ['an empty table name', { tableName: '' }],
    ['a negative busy timeout', { busyTimeoutMs: -1 }],
    ['a fractional prune interval', { pruneIntervalMs: 1.5 }],
    ['a NaN prune interval', { pruneIntervalMs: Number.NaN }],
  ];
  for (const [label, options] of invalid) {
    it(`rejects ${label} with ERR_SESSION_INVALID_OPTION`, () => {
      assert.throws(() => sqliteStore(options), hasCode('ERR_SESSION_INVALID_OPTION'));
    });
  }

  it('rejects both filename and database with ERR_SESSION_INVALID_OPTION', () => {
    const database = new Database(':memory:');
    const options = { filename: ':memory:', database } as unknown as SqliteStoreOptions;
    assert.throws(() => sqliteStore(options), hasCode('ERR_SESSION_INVALID_OPTION'));
    database.close();
  });

  it('a file that cannot be opened (a directory) gives ERR_SESSION_STORE_UNAVAILABLE', () => {
    mkdirSync(path('a-directory'));
    assert.throws(() => sqliteStore({ filename: path('a-directory') }), hasCode('ERR_SESSION_STORE_UNAVAILABLE'));
  });

  it('SF-18 a file database runs in WAL mode, synchronous NORMAL, with the busy timeout', async () => {
    const store = sqliteStore({ filename: path('pragmas.db'), busyTimeoutMs: 1234, pruneIntervalMs: 0 });
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store.db.pragma('synchronous', { simple: true }), 1);
    assert.equal(store.db.pragma('busy_timeout', { simple: true }), 1234);
    await store.close();
  });

  it('a custom table name keeps stores in one database apart', async () => {
    const db = new Database(':memory:');
    const a = sqliteStore({ database: db, tableName: 'sessions_a', pruneIntervalMs: 0 });
    const b = sqliteStore({ database: db, tableName: 'sessions_b', pruneIntervalMs: 0 });
    const record = buildRecord();
    await a.create(record);
    assert.deepStrictEqual(await a.get(record.id, Date.now()), record);
    assert.equal(await b.get(record.id, Date.now()), null);
    assert.equal(db.prepare('SELECT count(*) FROM sessions_a').pluck().get(), 1);
    db.close();
  });

  it('works on a connection that returns BigInts by default', async () => {
    const db = new Database(':memory:');
    db.defaultSafeIntegers(true);
    const store = sqliteStore({ database: db, pruneIntervalMs: 0 });
    const record = buildRecord({ userId: 'big' });
    await store.create(record);
    assert.deepStrictEqual(await store.get(record.id, Date.now()), record);
    assert.deepStrictEqual(await store.listByUser('big', Date.now()), [record]);
    db.close();
  });

  it('sessions survive reopening the file', async () => {
    const filename = path('reopen.db');
    const record = buildRecord();
    const first = sqliteStore({ filename, pruneIntervalMs: 0 });
    await first.create(record);
    await first.close();
    const second = sqliteStore({ filename, pruneIntervalMs: 0 });
    assert.deepStrictEqual(await second.get(record.id, Date.now()), record);
    await second.close();
  });
});

describe('sqliteStore lifecycle', () => {
  // The timeout only stops a broken timer from hanging the run; nothing asserts on speed.
  it('SF-17 the prune timer deletes expired rows with its own clock and keeps live ones', { timeout: 30_000 }, async () => {
    const start = Date.now();
    let clock = start;
    const store = sqliteStore({ pruneIntervalMs: 5, now: () => clock });
    const expiring = buildRecord({ now: start, idleMs: MINUTE });
    const live = buildRecord({ now: start, idleMs: 10 * MINUTE });
    await store.create(expiring);
    await store.create(live);
    clock = start + 2 * MINUTE;
    const count = store.db.prepare('SELECT count(*) FROM coatcheck_sessions WHERE id = ?').pluck();
    // Wait for the timer, however slow the machine; the test fails by timing out otherwise.
    while (count.get(expiring.id) !== 0) await sleep(5);
    assert.equal(count.get(live.id), 1);
    await store.close();
  });

  it('close closes a database the store opened, and later calls reject with a store error', async () => {
    const store = sqliteStore({ filename: path('close.db') });
    await store.close();
    await store.close(); // idempotent
    assert.equal(store.db.open, false);
    await assert.rejects(store.get('x', Date.now()), hasCode('ERR_SESSION_STORE_UNAVAILABLE'));
    await assert.rejects(store.ping(), hasCode('ERR_SESSION_STORE_UNAVAILABLE'));
  });

  it('close leaves a database passed in open', async () => {
    const db = new Database(':memory:');
    const store = sqliteStore({ database: db });
    await store.close();
    assert.equal(db.open, true);
    await assert.rejects(store.create(buildRecord()), hasCode('ERR_SESSION_STORE_UNAVAILABLE'));
    db.close();
  });

  it("data JSON cannot hold is the caller's TypeError, not a store error, and writes nothing", async () => {
    const store = sqliteStore({ pruneIntervalMs: 0 });
    const record = buildRecord({ data: { big: 1n } });
    await assert.rejects(store.create(record), TypeError);
    assert.equal(store.db.prepare('SELECT count(*) FROM coatcheck_sessions').pluck().get(), 0);
    await store.close();
  });

  it('a connection closed underneath the store gives store errors, never a raw driver error', async () => {
    const db = new Database(':memory:');
    const store = sqliteStore({ database: db, pruneIntervalMs: 0 });
    await store.ping();
    db.close();
    const calls: Promise<unknown>[] = [
      store.get('x', 0),
      store.create(buildRecord()),
      store.update(buildRecord({ version: 2 }), 1, 0),
      store.touch('x', 0, 0, 0),
      store.delete('x'),
      store.listByUser('u', 0),
      store.deleteByUser('u'),
      store.prune(0),
      store.ping(),
    ];
    for (const call of calls) await assert.rejects(call, hasCode('ERR_SESSION_STORE_UNAVAILABLE'));
  });
});
