// SF-23: rows the store did not write the way it writes them (by hand, by another tool, by an
// older schema) are treated as no session, deleted and reported by id and column, never
// returned, never a 500 or a crash.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecord, randomUserId } from '@coatcheck/conformance';
import { CORRUPT_ROW_WARNING, postgresStore, type PostgresStore } from '@coatcheck/postgres';
import { DATABASE_URL, onCleanup, useAdmin, useTable } from './helpers/database.js';
import { buildApp, HTTPS, login } from './helpers/http.js';

const admin = useAdmin();
const table = useTable(admin, 'cc_sf23');

function openStore(reports: [string, Error][]): PostgresStore {
  const store = postgresStore({
    connectionString: DATABASE_URL,
    tableName: table,
    pruneIntervalMs: 0,
    onCorrupt: (id, error) => reports.push([id, error]),
  });
  onCleanup(() => store.close());
  return store;
}

async function exists(id: string): Promise<boolean> {
  return (await admin.query(`SELECT 1 FROM "${table}" WHERE id = $1`, [id])).rowCount === 1;
}

// Each damage is applied with SQL to a freshly created, valid record.
const DAMAGE: readonly [string, string, string][] = [
  ['data is a JSON array', `data = '[1, 2]'`, 'data'],
  ['data is a JSON string', `data = '"text"'`, 'data'],
  ['data is JSON null', `data = 'null'`, 'data'],
  ['data is a number', `data = '42'`, 'data'],
  ['version is 0', 'version = 0', 'version'],
  ['version is negative', 'version = -7', 'version'],
  ['created_at beyond 2^53', 'created_at = 9007199254740993', 'created_at'],
  ['expires_at beyond 2^53', 'expires_at = 9007199254740993', 'expires_at'],
  ['authenticated_at beyond 2^53', 'authenticated_at = -9007199254740993', 'authenticated_at'],
  ['secret_hash NULL (NOT NULL dropped by hand)', 'secret_hash = NULL', 'secret_hash'],
  ['persistent NULL (NOT NULL dropped by hand)', 'persistent = NULL', 'persistent'],
];

describe('SF-23 corrupt rows', () => {
  it('SF-23 each kind of damage reads as no session; the row is deleted and reported by column', async () => {
    const reports: [string, Error][] = [];
    const store = openStore(reports);
    const now = Date.now();
    await store.ping(); // creates the table
    // An older or hand-made schema without these constraints.
    await admin.query(`ALTER TABLE "${table}" ALTER COLUMN secret_hash DROP NOT NULL, ALTER COLUMN persistent DROP NOT NULL`);

    for (const [what, assignment, column] of DAMAGE) {
      const record = buildRecord({ now, userId: randomUserId(), data: { cart: ['a'] } });
      await store.create(record);
      await admin.query(`UPDATE "${table}" SET ${assignment} WHERE id = $1`, [record.id]);
      reports.length = 0;
      assert.equal(await store.get(record.id, now), null, what);
      assert.equal(await exists(record.id), false, `${what}: deleted`);
      assert.equal(reports.length, 1, `${what}: reported once`);
      const [id, error] = reports[0] as [string, Error];
      assert.equal(id, record.id);
      assert.match(error.message, new RegExp(`^column ${column} `), what);
      assert.ok(!error.message.includes('cart'), 'the report never contains the row');
    }
  });

  it('SF-23 listByUser skips and deletes a corrupt row and keeps the good ones', async () => {
    const reports: [string, Error][] = [];
    const store = openStore(reports);
    const now = Date.now();
    const userId = randomUserId();
    const good = buildRecord({ now, userId });
    const bad = buildRecord({ now: now + 1, userId });
    await store.create(good);
    await store.create(bad);
    await admin.query(`UPDATE "${table}" SET data = '[]' WHERE id = $1`, [bad.id]);
    assert.deepStrictEqual(await store.listByUser(userId, now + 1), [good]);
    assert.equal(await exists(bad.id), false);
    assert.deepStrictEqual(
      reports.map(([id]) => id),
      [bad.id],
    );
  });

  it('SF-23 the default report is a process warning with its code', async () => {
    const store = postgresStore({ connectionString: DATABASE_URL, tableName: table, pruneIntervalMs: 0 });
    onCleanup(() => store.close());
    const now = Date.now();
    const record = buildRecord({ now });
    await store.create(record);
    await admin.query(`UPDATE "${table}" SET data = '"x"' WHERE id = $1`, [record.id]);
    const warned = new Promise<Error & { code?: string }>((resolve) => {
      const listener = (warning: Error & { code?: string }): void => {
        if (warning.code !== CORRUPT_ROW_WARNING) return;
        process.off('warning', listener);
        resolve(warning);
      };
      process.on('warning', listener);
    });
    assert.equal(await store.get(record.id, now), null);
    const warning = await warned;
    assert.match(warning.message, new RegExp(record.id));
  });

  it('SF-23 over HTTP a corrupt session is anonymous (200), never a 500', async () => {
    const store = openStore([]);
    const app = await buildApp(store);
    onCleanup(() => app.close());
    const cookie = await login(app);
    await admin.query(`UPDATE "${table}" SET data = '[]' WHERE user_id = 'alice'`);
    const res = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().userId, null);
  });
});
