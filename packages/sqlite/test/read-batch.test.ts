// Reads asked for during one turn of the event loop: the first runs at once, the others at the
// end of the turn in one read transaction (read-batch.ts). Each must still answer as a read of
// its own would: its own record, what was committed before the batch ran, a corrupt row
// deleted and reported, a closed store refused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecord } from '@coatcheck/conformance';
import { sqliteStore } from '@coatcheck/sqlite';
import { DRIVERS, scalar } from './fixtures/drivers.js';
import { useTempDir } from './fixtures/temp-dir.js';

const path = useTempDir();
let files = 0;

for (const { driver, skip } of DRIVERS)
  describe(`sqliteStore reads in one turn on ${driver}`, { skip }, () => {
    const open = (onCorrupt?: (id: string, error: Error) => void) =>
      sqliteStore({ filename: path(`batch-${files++}.db`), driver, pruneIntervalMs: 0, ...(onCorrupt ? { onCorrupt } : {}) });

    it('each of many reads in one turn gets its own record, or null', async () => {
      const store = open();
      const now = Date.now();
      const records = Array.from({ length: 20 }, (_, i) => buildRecord({ now, userId: `u${i}`, data: { i } }));
      for (const record of records) assert.equal(await store.create(record), true);
      const reads = [...records.map((record) => store.get(record.id, now)), store.get('absent', now)];
      assert.deepStrictEqual(await Promise.all(reads), [...records, null]);
      await store.close();
    });

    it('a read never answers from before what another connection committed before it was asked for', async () => {
      const store = open();
      const now = Date.now();
      const record = buildRecord({ now, data: { n: 1 } });
      await store.create(record);
      const other = sqliteStore({ filename: store.db.filename ?? '', driver, pruneIntervalMs: 0 });
      const first = store.get(record.id, now);
      const next = { ...record, data: { n: 2 }, version: 2 };
      assert.equal(await other.update(next, 1, now), 'ok');
      // Asked for after the update committed, in the turn the first read opened.
      const later = store.get(record.id, now);
      assert.deepStrictEqual(await first, record);
      assert.deepStrictEqual(await later, next);
      await other.close();
      await store.close();
    });

    it('SF-23 a corrupt row among the reads of one turn is deleted and reported; the others are read', async () => {
      const reports: string[] = [];
      const store = open((id) => reports.push(id));
      const now = Date.now();
      const good = buildRecord({ now });
      const bad = buildRecord({ now });
      await store.create(good);
      await store.create(bad);
      store.db.prepare('UPDATE coatcheck_sessions SET data = ? WHERE id = ?').run('{not json', bad.id);
      const reads = [store.get(good.id, now), store.get(bad.id, now), store.get(good.id, now)];
      assert.deepStrictEqual(await Promise.all(reads), [good, null, good]);
      assert.deepStrictEqual(reports, [bad.id]);
      assert.equal(scalar(store.db, 'SELECT count(*) FROM coatcheck_sessions WHERE id = ?', bad.id), 0);
      await store.close();
    });

    it('reads asked for before close are answered; after it, refused with a store error', async () => {
      const store = open();
      const now = Date.now();
      const record = buildRecord({ now });
      await store.create(record);
      const reads = [store.get(record.id, now), store.get(record.id, now)];
      await store.close();
      assert.deepStrictEqual(await Promise.all(reads), [record, record]);
      await assert.rejects(store.get(record.id, now), { code: 'ERR_SESSION_STORE_UNAVAILABLE' });
    });

    it('reads inside a transaction the app left open on a shared connection still answer', async () => {
      const store = open();
      const now = Date.now();
      const record = buildRecord({ now });
      await store.create(record);
      store.db.exec('BEGIN');
      try {
        const reads = [store.get(record.id, now), store.get(record.id, now), store.get(record.id, now)];
        assert.deepStrictEqual(await Promise.all(reads), [record, record, record]);
      } finally {
        store.db.exec('COMMIT');
      }
      await store.close();
    });
  });
