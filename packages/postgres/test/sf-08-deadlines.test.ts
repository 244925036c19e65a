// SF-08: latency is bounded by opTimeoutMs, whatever the pool's own settings. A statement
// stuck behind a lock, and the calls queued behind it for a connection (pool exhausted), all
// reject with ERR_SESSION_STORE_UNAVAILABLE; on an owned pool the server abandons the stuck
// statement too (statement_timeout), so no work is left running for a caller who gave up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { buildRecord } from '@coatcheck/conformance';
import { postgresStore } from '@coatcheck/postgres';
import { countBackends, DATABASE_URL, onCleanup, unique, urlWith, useAdmin, useTable, waitFor } from './helpers/database.js';
import { assertStoreError, settle } from './helpers/errors.js';

const admin = useAdmin();
const table = useTable(admin, 'cc_sf08');

/** Holds an ACCESS EXCLUSIVE lock on the table while `body` runs. */
async function whileLocked(body: () => Promise<void>): Promise<void> {
  const locker = await admin.connect();
  try {
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
    await body();
  } finally {
    await locker.query('ROLLBACK');
    locker.release();
  }
}

describe('SF-08 deadlines', () => {
  it('SF-08 a pool with pg defaults (no timeouts at all): stuck and queued calls still reject at the deadline; the pool works afterwards', {
    timeout: 30_000,
  }, async () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 }); // connectionTimeoutMillis 0: wait forever
    const store = postgresStore({ pool, tableName: table, pruneIntervalMs: 0, opTimeoutMs: 300 });
    onCleanup(async () => {
      await store.close();
      await pool.end();
    });
    // Connected, and the table made, before the 300 ms deadline is what is under test: on a
    // loaded machine a first connection alone can take longer than that.
    await store.ready();
    const now = Date.now();
    const record = buildRecord({ now });
    await store.create(record);

    await whileLocked(async () => {
      // One call holds the only connection, stuck on the lock; two more wait for it.
      const { values, errors } = await settle<unknown>([store.get(record.id, now), store.touch(record.id, now, now + 1, now), store.ping()]);
      assert.deepStrictEqual(values, []);
      assert.equal(errors.length, 3);
      for (const error of errors) assertStoreError(error);
    });
    assert.deepStrictEqual(await store.get(record.id, now), record);
  });

  it('SF-08 an owned pool sets statement_timeout: the server cancels the statement a timed-out call left behind', { timeout: 30_000 }, async () => {
    const app = unique('cc_sf08_app');
    const store = postgresStore({ connectionString: urlWith({ application_name: app }), tableName: table, pruneIntervalMs: 0, opTimeoutMs: 300 });
    onCleanup(() => store.close());
    const now = Date.now();
    await store.ping();

    await whileLocked(async () => {
      await assert.rejects(store.get('stuck', now), (error) => (assertStoreError(error), true));
      // Still locked: without statement_timeout the backend would wait on the lock until the
      // transaction ends, since Postgres does not notice a vanished client while it waits.
      await waitFor('the stuck statement to be cancelled', async () => (await countBackends(admin, app, true)) === 0, 10_000);
    });
    await store.ping();
  });
});
