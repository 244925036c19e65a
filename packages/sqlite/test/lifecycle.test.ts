// Construction, options, pragmas, pruning timer, close, and failures of the connection itself:
// every one of them either works or fails with a coatcheck error (SF-17, SF-18).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { MINUTE, buildRecord } from '@coatcheck/conformance';
import { isSessionError } from 'coatcheck/errors';
import { sqliteStore, type SqliteStoreOptions } from '@coatcheck/sqlite';
import { DEFAULT_DRIVER, DRIVERS, isNativeOpen, openNative, scalar } from './fixtures/drivers.js';
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
    const database = openNative(DEFAULT_DRIVER);
    const options = { filename: ':memory:', database } as unknown as SqliteStoreOptions;
    assert.throws(() => sqliteStore(options), hasCode('ERR_SESSION_INVALID_OPTION'));
    database.close();
  });

  it('rejects an unknown driver, and a driver beside database, with ERR_SESSION_INVALID_OPTION', () => {
    assert.throws(() => sqliteStore({ driver: 'sqlite3' } as unknown as SqliteStoreOptions), hasCode('ERR_SESSION_INVALID_OPTION'));
    const database = openNative(DEFAULT_DRIVER);
    const options = { database, driver: DEFAULT_DRIVER } as unknown as SqliteStoreOptions;
    assert.throws(() => sqliteStore(options), hasCode('ERR_SESSION_INVALID_OPTION'));
    assert.throws(() => sqliteStore({ database: {} } as unknown as SqliteStoreOptions), hasCode('ERR_SESSION_INVALID_OPTION'));
    database.close();
  });

  it(`with no driver named, the store runs on ${DEFAULT_DRIVER} on Node ${process.version}`, async () => {
    const store = sqliteStore({ pruneIntervalMs: 0 });
    assert.equal(store.db.driver, DEFAULT_DRIVER);
    await store.close();
  });
});

for (const { driver, skip } of DRIVERS)
  describe(`sqliteStore on ${driver}`, { skip }, () => {
    it('the connection is the one asked for', async () => {
      const store = sqliteStore({ driver, pruneIntervalMs: 0 });
      assert.equal(store.db.driver, driver);
      assert.equal(store.db.inMemory, true);
      assert.equal(store.db.filename, null);
      await store.close();
      const adopted = openNative(driver);
      const onIt = sqliteStore({ database: adopted, pruneIntervalMs: 0 });
      assert.equal(onIt.db.driver, driver);
      assert.equal(onIt.db.native, adopted);
      await onIt.close();
      adopted.close();
    });

    it('a file that cannot be opened (a directory) gives ERR_SESSION_STORE_UNAVAILABLE', () => {
      mkdirSync(path(`a-directory-${driver}`));
      assert.throws(() => sqliteStore({ filename: path(`a-directory-${driver}`), driver }), hasCode('ERR_SESSION_STORE_UNAVAILABLE'));
    });

    it('SF-18 a file database runs in WAL mode, synchronous NORMAL, with the busy timeout', async () => {
      const store = sqliteStore({ filename: path(`pragmas-${driver}.db`), driver, busyTimeoutMs: 1234, pruneIntervalMs: 0 });
      assert.equal(store.db.filename, path(`pragmas-${driver}.db`));
      assert.equal(scalar(store.db, 'PRAGMA journal_mode'), 'wal');
      assert.equal(scalar(store.db, 'PRAGMA synchronous'), 1);
      assert.equal(scalar(store.db, 'PRAGMA busy_timeout'), 1234);
      await store.close();
    });

    it('a custom table name keeps stores in one database apart', async () => {
      const db = openNative(driver);
      const a = sqliteStore({ database: db, tableName: 'sessions_a', pruneIntervalMs: 0 });
      const b = sqliteStore({ database: db, tableName: 'sessions_b', pruneIntervalMs: 0 });
      const record = buildRecord();
      await a.create(record);
      assert.deepStrictEqual(await a.get(record.id, Date.now()), record);
      assert.equal(await b.get(record.id, Date.now()), null);
      assert.equal(scalar(db, 'SELECT count(*) FROM sessions_a'), 1);
      db.close();
    });

    it('works on a connection that returns BigInts by default', async () => {
      const db = openNative(driver, ':memory:', { bigInts: true });
      const store = sqliteStore({ database: db, pruneIntervalMs: 0 });
      const record = buildRecord({ userId: 'big' });
      await store.create(record);
      assert.deepStrictEqual(await store.get(record.id, Date.now()), record);
      assert.deepStrictEqual(await store.listByUser('big', Date.now()), [record]);
      db.close();
    });

    it('sessions survive reopening the file', async () => {
      const filename = path(`reopen-${driver}.db`);
      const record = buildRecord();
      const first = sqliteStore({ filename, driver, pruneIntervalMs: 0 });
      await first.create(record);
      await first.close();
      const second = sqliteStore({ filename, driver, pruneIntervalMs: 0 });
      assert.deepStrictEqual(await second.get(record.id, Date.now()), record);
      await second.close();
    });
  });

for (const { driver, skip } of DRIVERS)
  describe(`sqliteStore lifecycle on ${driver}`, { skip }, () => {
    // The timeout only stops a broken timer from hanging the run; nothing asserts on speed.
    it('SF-17 the prune timer deletes expired rows with its own clock and keeps live ones', { timeout: 30_000 }, async () => {
      const start = Date.now();
      let clock = start;
      const store = sqliteStore({ driver, pruneIntervalMs: 5, now: () => clock });
      const expiring = buildRecord({ now: start, idleMs: MINUTE });
      const live = buildRecord({ now: start, idleMs: 10 * MINUTE });
      await store.create(expiring);
      await store.create(live);
      clock = start + 2 * MINUTE;
      const count = (id: string) => scalar(store.db, 'SELECT count(*) FROM coatcheck_sessions WHERE id = ?', id);
      // Wait for the timer, however slow the machine; the test fails by timing out otherwise.
      while (count(expiring.id) !== 0) await sleep(5);
      assert.equal(count(live.id), 1);
      await store.close();
    });

    it('close closes a database the store opened, and later calls reject with a store error', async () => {
      const store = sqliteStore({ filename: path(`close-${driver}.db`), driver });
      await store.close();
      await store.close(); // idempotent
      assert.equal(store.db.isOpen, false);
      await assert.rejects(store.get('x', Date.now()), hasCode('ERR_SESSION_STORE_UNAVAILABLE'));
      await assert.rejects(store.ping(), hasCode('ERR_SESSION_STORE_UNAVAILABLE'));
    });

    it('close leaves a database passed in open', async () => {
      const db = openNative(driver);
      const store = sqliteStore({ database: db });
      await store.close();
      assert.equal(isNativeOpen(db), true);
      await assert.rejects(store.create(buildRecord()), hasCode('ERR_SESSION_STORE_UNAVAILABLE'));
      db.close();
    });

    it("data JSON cannot hold is the caller's TypeError, not a store error, and writes nothing", async () => {
      const store = sqliteStore({ driver, pruneIntervalMs: 0 });
      const record = buildRecord({ data: { big: 1n } });
      await assert.rejects(store.create(record), TypeError);
      assert.equal(scalar(store.db, 'SELECT count(*) FROM coatcheck_sessions'), 0);
      await store.close();
    });

    it('a connection closed underneath the store gives store errors, never a raw driver error', async () => {
      const db = openNative(driver);
      const store = sqliteStore({ database: db, pruneIntervalMs: 0 });
      await store.ping();
      db.close();
      const calls: Promise<unknown>[] = [
        store.get('x', 0),
        store.create(buildRecord()),
        store.createCapped(buildRecord({ userId: 'u' }), { max: 1, evict: 'oldest', replaces: null }, 0),
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
