// SF-23: a corrupt row (bad JSON, wrong types, written by hand or by a damaged file) is treated
// as no session, deleted and reported without its contents; it never throws.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecord } from '@coatcheck/conformance';
import { CORRUPT_ROW_WARNING, sqliteStore, type SqliteStore } from '@coatcheck/sqlite';
import { DRIVERS, scalar } from './fixtures/drivers.js';

const SECRET_DATA = 'card-4111-1111-1111-1111';

// Writes a valid record, then overwrites one column with a bad value straight through SQL.
async function plant(store: SqliteStore, column: string, value: unknown, userId: string | null = null): Promise<string> {
  const record = buildRecord({ userId, data: { secret: SECRET_DATA } });
  assert.equal(await store.create(record), true);
  store.db.prepare(`UPDATE coatcheck_sessions SET ${column} = ? WHERE id = ?`).run(value, record.id);
  return record.id;
}

const rowCount = (store: SqliteStore, id: string): unknown => scalar(store.db, 'SELECT count(*) FROM coatcheck_sessions WHERE id = ?', id);

const cases: [string, string, unknown][] = [
  ['truncated JSON', 'data', `{"secret":"${SECRET_DATA}","cart":[1,2`],
  ['JSON that is not an object (array)', 'data', `["${SECRET_DATA}"]`],
  ['JSON null', 'data', 'null'],
  ['JSON string', 'data', `"${SECRET_DATA}"`],
  ['a number where data belongs', 'data', 42],
  ['text in version', 'version', 'two'],
  ['version 0', 'version', 0],
  ['text in persistent', 'persistent', 'yes'],
  ['text in created_at', 'created_at', 'yesterday'],
  ['a blob in secret_hash', 'secret_hash', Buffer.from('hash')],
  ['a blob in user_agent', 'user_agent', Buffer.from(SECRET_DATA)],
  // node:sqlite refuses to read it as a number; better-sqlite3 rounds it. Either way: corrupt.
  ['an integer beyond 2^53 in created_at', 'created_at', 2n ** 60n],
];

for (const { driver, skip } of DRIVERS)
  describe(`SF-23 corrupt rows on ${driver}`, { skip }, () => {
    for (const [label, column, value] of cases) {
      it(`SF-23 ${label}: get returns null, the row is deleted and reported`, async () => {
        const reports: [string, Error][] = [];
        const store = sqliteStore({ driver, pruneIntervalMs: 0, onCorrupt: (id, error) => reports.push([id, error]) });
        const id = await plant(store, column, value);
        assert.equal(await store.get(id, Date.now()), null);
        assert.equal(rowCount(store, id), 0, 'the corrupt row is deleted');
        assert.equal(reports.length, 1);
        const [reportedId, error] = reports[0] ?? [];
        assert.equal(reportedId, id);
        assert.match(error?.message ?? '', new RegExp(column));
        assert.ok(!error?.message.includes(SECRET_DATA), 'the report never contains the row contents');
        // Deleted, so the next read is a plain miss and reports nothing new.
        assert.equal(await store.get(id, Date.now()), null);
        assert.equal(reports.length, 1);
        await store.close();
      });
    }

    it('SF-23 listByUser skips and deletes a corrupt row, keeping the valid ones', async () => {
      const reports: string[] = [];
      const store = sqliteStore({ driver, pruneIntervalMs: 0, onCorrupt: (id) => reports.push(id) });
      const now = Date.now();
      const good = buildRecord({ now, userId: 'alice' });
      await store.create(good);
      const bad = await plant(store, 'data', '{not json', 'alice');
      assert.deepStrictEqual(await store.listByUser('alice', now), [good]);
      assert.deepStrictEqual(reports, [bad]);
      assert.equal(rowCount(store, bad), 0);
      await store.close();
    });

    it('SF-23 by default the report is a process warning naming the id, not the data', async () => {
      const store = sqliteStore({ driver, pruneIntervalMs: 0 });
      const id = await plant(store, 'data', `{"secret":"${SECRET_DATA}"`);
      const warned = new Promise<Error & { code?: string }>((resolve) => {
        const listener = (warning: Error & { code?: string }): void => {
          if (warning.code !== CORRUPT_ROW_WARNING) return;
          process.off('warning', listener);
          resolve(warning);
        };
        process.on('warning', listener);
      });
      assert.equal(await store.get(id, Date.now()), null);
      const warning = await warned;
      assert.ok(warning.message.includes(id));
      assert.ok(!warning.message.includes(SECRET_DATA));
      await store.close();
    });

    it('SF-23 a throwing onCorrupt surfaces as its own error, after the row is deleted', async () => {
      const store = sqliteStore({
        driver,
        pruneIntervalMs: 0,
        onCorrupt: () => {
          throw new RangeError('hook failed');
        },
      });
      const id = await plant(store, 'data', '[]');
      await assert.rejects(store.get(id, Date.now()), RangeError);
      assert.equal(rowCount(store, id), 0);
      await store.close();
    });
  });
