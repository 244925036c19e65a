// SF-17 / LC-10: expired rows are filtered at read whether or not pruning ever ran, and the
// prune timer runs once per interval across all instances sharing a table (advisory-locked
// claim in the meta table), in batches, without deadlocks, beside live traffic.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecord, nextVersion, randomUserId } from '@coatcheck/conformance';
import { PRUNE_FAILED_WARNING, postgresStore } from '@coatcheck/postgres';
import { DATABASE_URL, dbNow, onCleanup, useAdmin, useTable, waitFor } from './helpers/database.js';

const admin = useAdmin();

/** Inserts `count` rows that expired an hour ago, straight into the table. */
async function insertExpired(table: string, count: number, now: number): Promise<void> {
  await admin.query(
    `INSERT INTO "${table}" (id, secret_hash, user_id, data, version, created_at, last_seen_at, expires_at, absolute_expires_at, persistent)
     SELECT 'expired-' || g, 'hash', NULL, '{}', 1, $1::bigint, $1::bigint, $1::bigint, $1::bigint, false FROM generate_series(1, $2::int) AS g`,
    [now - 3_600_000, count],
  );
}

async function countRows(table: string, where = 'true'): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE ${where}`);
  return rows[0]?.n ?? 0;
}

async function pruneRuns(table: string): Promise<number> {
  const { rows } = await admin.query<{ runs: string }>(`SELECT runs FROM "${table}_meta" WHERE job = 'prune'`);
  return Number(rows[0]?.runs);
}

describe('SF-17 expired rows and pruning', () => {
  it('SF-17 LC-10 with pruning off an expired row is never returned, written or extended, though it is still in the table', async () => {
    const table = useTable(admin, 'cc_sf17_off');
    const store = postgresStore({ connectionString: DATABASE_URL, tableName: table, pruneIntervalMs: 0 });
    onCleanup(() => store.close());
    const now = Date.now();
    const userId = randomUserId();
    const record = buildRecord({ now, userId, idleMs: 60_000 });
    await store.create(record);
    const at = record.expiresAt;

    assert.equal(await store.get(record.id, at), null);
    assert.deepStrictEqual(await store.listByUser(userId, at), []);
    assert.equal(await store.update(nextVersion(record, { expiresAt: at + 3_600_000 }), 1, at), 'missing');
    assert.equal(await store.touch(record.id, at, at + 3_600_000, at), false);
    assert.equal(await countRows(table), 1, 'filtered at read, not pruned');
    const { rows } = await admin.query<{ expires_at: string }>(`SELECT expires_at FROM "${table}"`);
    assert.equal(Number(rows[0]?.expires_at), record.expiresAt, 'nothing extended it');
  });

  it('SF-17 prune() deletes a backlog larger than one batch and reports the exact count', async () => {
    const table = useTable(admin, 'cc_sf17_batch');
    const store = postgresStore({ connectionString: DATABASE_URL, tableName: table, pruneIntervalMs: 0 });
    onCleanup(() => store.close());
    const now = Date.now();
    const live = buildRecord({ now });
    await store.create(live); // creates the table
    await insertExpired(table, 2500, now);
    assert.equal(await store.prune(now), 2500);
    assert.equal(await countRows(table), 1);
    assert.deepStrictEqual(await store.get(live.id, now), live);
  });

  it('SF-17 four instances with pruning on: at most one prune per interval cluster-wide, no deadlocks, no warnings', { timeout: 60_000 }, async () => {
    const table = useTable(admin, 'cc_sf17_four');
    const intervalMs = 250;
    const warnings: Error[] = [];
    const onWarning = (warning: Error & { code?: string }): void => {
      if (warning.code === PRUNE_FAILED_WARNING) warnings.push(warning);
    };
    process.on('warning', onWarning);
    onCleanup(() => process.off('warning', onWarning));

    // Table and backlog first, so every instance starts on the same state.
    const setup = postgresStore({ connectionString: DATABASE_URL, tableName: table, pruneIntervalMs: 0 });
    onCleanup(() => setup.close());
    const now = Date.now();
    const live = Array.from({ length: 10 }, () => buildRecord({ now, idleMs: 3_600_000 }));
    for (const record of live) await setup.create(record);
    await insertExpired(table, 3000, now);
    assert.equal(await pruneRuns(table), 0);

    const started = await dbNow(admin);
    const stores = Array.from({ length: 4 }, () =>
      postgresStore({ connectionString: DATABASE_URL, maxConnections: 3, tableName: table, pruneIntervalMs: intervalMs }),
    );
    // Live traffic on the same rows while the pruners run: CAS updates and touches.
    let traffic = true;
    const errors: unknown[] = [];
    const load = stores.map(async (store, i) => {
      while (traffic) {
        for (const record of live) {
          const current = await store.get(record.id, Date.now());
          if (current) await store.update(nextVersion(current, { data: { i } }), current.version, Date.now());
          await store.touch(record.id, Date.now(), Date.now() + 3_600_000, Date.now());
        }
      }
    });
    const loadDone = Promise.all(load).catch((error: unknown) => void errors.push(error));
    try {
      await waitFor('the backlog to be pruned', async () => (await countRows(table, "id LIKE 'expired-%'")) === 0, 30_000);
      // Let ten intervals pass: uncoordinated, four timers would prune about forty times.
      await waitFor('ten prune intervals', async () => (await dbNow(admin)) - started >= 10 * intervalMs, 30_000);
    } finally {
      traffic = false;
      await loadDone;
      await Promise.all(stores.map((store) => store.close()));
    }
    const finished = await dbNow(admin);

    const runs = await pruneRuns(table);
    const allowed = Math.floor((finished - started) / intervalMs) + 1;
    assert.ok(runs >= 1 && runs <= allowed, `${runs} prune runs in ${finished - started} ms; at most ${allowed} allowed`);
    assert.deepStrictEqual(errors, [], 'no deadlock or other error in live traffic');
    assert.deepStrictEqual(
      warnings.map((w) => w.message),
      [],
      'no failed prune',
    );
    for (const record of live) assert.ok(await setup.get(record.id, Date.now()), 'live sessions are kept');
  });
});
