// SF-27: graceful shutdown. Calls already started when close() is called complete (their
// connections are released only afterwards); calls made after it fail with a store error,
// never a raw "pool ended" error; the store's connections are closed; and close() itself is
// bounded even when the server hangs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { buildRecord, nextVersion } from '@coatcheck/conformance';
import { postgresStore } from '@coatcheck/postgres';
import { startTcpProxy } from '@coatcheck/testkit/tcp-proxy';
import { countBackends, DATABASE_URL, onCleanup, unique, urlVia, urlWith, useAdmin, useTable, waitFor } from './helpers/database.js';
import { assertStoreError, settle } from './helpers/errors.js';

const admin = useAdmin();
const table = useTable(admin, 'cc_sf27');

describe('SF-27 graceful shutdown', () => {
  it('SF-27 in-flight calls complete, later calls fail with a store error, connections are closed', async () => {
    const app = unique('cc_sf27_app');
    const store = postgresStore({ connectionString: urlWith({ application_name: app }), maxConnections: 2, tableName: table, pruneIntervalMs: 0 });
    const now = Date.now();
    const records = Array.from({ length: 30 }, () => buildRecord({ now }));
    await store.create(buildRecord({ now })); // table exists, pool warm

    // Thirty writes on two connections: most are still queued when close() is called.
    const inflight = settle(records.map((record) => store.create(record)));
    const closed = store.close();
    const { values, errors } = await inflight;
    await closed;
    assert.deepStrictEqual(errors, []);
    assert.deepStrictEqual(
      values,
      records.map(() => true),
      'every in-flight write completed',
    );

    const after = await settle<unknown>([store.get(records[0]!.id, now), store.update(nextVersion(records[0]!), 1, now), store.ping()]);
    assert.equal(after.errors.length, 3);
    for (const error of after.errors) assertStoreError(error);
    await waitFor('the store connections to close', async () => (await countBackends(admin, app)) === 0);
    const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`);
    assert.equal(rows[0]?.n, 31, 'every write is in the table');
  });

  it('SF-27 close() returns even while the server hangs (bounded like every call)', { timeout: 30_000 }, async () => {
    const target = new URL(DATABASE_URL);
    const proxy = await startTcpProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
    onCleanup(() => proxy.close());
    const store = postgresStore({ connectionString: urlVia('127.0.0.1', proxy.port), tableName: table, pruneIntervalMs: 0, opTimeoutMs: 300 });
    const now = Date.now();
    await store.create(buildRecord({ now }));
    proxy.pause();
    const pending = settle([store.get('anything', now)]);
    await store.close();
    const { errors } = await pending;
    assert.equal(errors.length, 1);
    assertStoreError(errors[0]);
    proxy.resume();
  });

  it('SF-27 closing a store leaves your pool open and as it was', async () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    onCleanup(() => pool.end());
    const listenersBefore = pool.listenerCount('error');
    const store = postgresStore({ pool, tableName: table, pruneIntervalMs: 0 });
    assert.equal(pool.listenerCount('error'), listenersBefore + 1, 'guarded while open');
    await store.ping();
    await store.close();
    assert.equal(pool.listenerCount('error'), listenersBefore);
    assert.equal((await pool.query('SELECT 1 AS one')).rows[0]?.one, 1);
  });
});
