// SF-24 (namespace isolation, the SQL analogue of a key prefix): two apps on one database
// with different table names, or the same table name in different schemas, never see or
// delete each other's sessions. Also: identifiers are validated, never spliced raw.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecord, randomUserId } from '@coatcheck/conformance';
import { isSessionError } from 'coatcheck/errors';
import { postgresBus, postgresStore, type PostgresStore } from '@coatcheck/postgres';
import { DATABASE_URL, dropTable, onCleanup, unique, useAdmin, useTable } from './helpers/database.js';

const admin = useAdmin();

function open(tableName: string, schema?: string): PostgresStore {
  const store = postgresStore({ connectionString: DATABASE_URL, tableName, pruneIntervalMs: 0, ...(schema ? { schema } : {}) });
  onCleanup(() => store.close());
  return store;
}

/** A shared user with a session in A and in B; A revokes everything, then prunes the future. */
async function assertIsolated(a: PostgresStore, b: PostgresStore): Promise<void> {
  const now = Date.now();
  const userId = randomUserId();
  const inA = buildRecord({ now, userId });
  const inB = buildRecord({ now, userId });
  await a.create(inA);
  await b.create(inB);
  assert.equal(await b.get(inA.id, now), null, "A's id is unknown in B");
  assert.equal(await a.get(inB.id, now), null, "B's id is unknown in A");

  assert.deepStrictEqual(await a.deleteByUser(userId), [inA.id]);
  assert.equal(await a.prune(now + 365 * 86_400_000), 0, 'A has nothing else to prune');
  assert.equal(await a.delete(inB.id), false);
  assert.deepStrictEqual(await b.get(inB.id, now), inB, "B's data is untouched");
  assert.deepStrictEqual(await b.listByUser(userId, now), [inB]);
}

describe('SF-24 isolation between tables', () => {
  it('SF-24 two table names in one database do not see each other', async () => {
    await assertIsolated(open(useTable(admin, 'cc_sf24_a')), open(useTable(admin, 'cc_sf24_b')));
  });

  it('SF-24 one table name in two schemas does not see each other', async () => {
    const schema = unique('cc_sf24_schema');
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const name = unique('cc_sf24_same');
    onCleanup(async () => {
      await dropTable(admin, name);
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    });
    await assertIsolated(open(name), open(name, schema));
  });

  it('SF-24 table, schema and channel names that are not plain identifiers are refused at construction', async () => {
    const isConfigError = (error: unknown): boolean => isSessionError(error) && error.code === 'ERR_SESSION_INVALID_OPTION';
    const bad = ['x"; DROP TABLE users; --', 'sessions"', '1sessions', 'a b', 'sessions;', 'séssions', '', 'x'.repeat(64)];
    for (const name of bad) {
      const label = JSON.stringify(name);
      assert.throws(() => postgresStore({ connectionString: DATABASE_URL, tableName: name }), isConfigError, label);
      assert.throws(() => postgresStore({ connectionString: DATABASE_URL, schema: name }), isConfigError, label);
      assert.throws(() => postgresBus({ connectionString: DATABASE_URL, channel: name }), isConfigError, label);
    }
    // Derived index names must fit in 63 bytes, so table names stop at 51.
    assert.throws(() => postgresStore({ connectionString: DATABASE_URL, tableName: 'x'.repeat(52) }), isConfigError);
    await postgresStore({ connectionString: DATABASE_URL, tableName: 'x'.repeat(51) }).close();
  });
});
