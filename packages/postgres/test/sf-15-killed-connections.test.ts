// SF-15: Postgres connections killed (pg_terminate_backend) while calls are in flight. The
// calls fail closed with ERR_SESSION_STORE_UNAVAILABLE (never a raw pg error, never a crash),
// and the pool recovers by itself: the next calls succeed. To have calls deterministically in
// flight at the moment of the kill, an admin transaction holds an ACCESS EXCLUSIVE lock on the
// table and the test waits until every store connection is queued behind it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { buildRecord, nextVersion, randomUserId } from '@coatcheck/conformance';
import { postgresStore, type PostgresStore } from '@coatcheck/postgres';
import { countBackends, killBackends, onCleanup, unique, urlWith, useAdmin, useTable, waitFor, DATABASE_URL } from './helpers/database.js';
import { assertStoreError, settle } from './helpers/errors.js';
import { assertOutage, assertStillAlice, buildApp, HTTPS, login } from './helpers/http.js';

const admin = useAdmin();
const table = useTable(admin, 'cc_sf15');

/** A store on its own pool, recognisable in pg_stat_activity by its application_name. */
function openStore(connections: number): { store: PostgresStore; app: string } {
  const app = unique('cc_sf15_app');
  // A deadline well beyond the lock wait: these tests are about killed connections, not timeouts.
  const store = postgresStore({
    connectionString: urlWith({ application_name: app }),
    maxConnections: connections,
    tableName: table,
    pruneIntervalMs: 0,
    opTimeoutMs: 15_000,
  });
  onCleanup(() => store.close());
  return { store, app };
}

/** Runs `start` while the table is locked, kills `app`'s connections once `waiting` are blocked. */
async function killWhileBlocked<T>(app: string, waiting: number, start: () => Promise<T>[]): Promise<{ values: T[]; errors: unknown[]; killed: number }> {
  const locker = await admin.connect();
  try {
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
    const outcomes = settle(start()); // observed from the start: a rejection is never unhandled
    await waitFor(`${waiting} blocked connections`, async () => (await countBackends(admin, app, true)) >= waiting);
    const killed = await killBackends(admin, app);
    await locker.query('ROLLBACK');
    return { ...(await outcomes), killed };
  } finally {
    locker.release();
  }
}

describe('SF-15 Postgres connections killed', () => {
  it('SF-15 in-flight store calls on killed connections reject with ERR_SESSION_STORE_UNAVAILABLE; the pool recovers', async () => {
    const { store, app } = openStore(5);
    const now = Date.now();
    const userId = randomUserId();
    const record = buildRecord({ now, userId });
    assert.equal(await store.create(record), true);

    const { values, errors, killed } = await killWhileBlocked<unknown>(app, 5, () => [
      store.get(record.id, now),
      store.update(nextVersion(record, { data: { n: 1 } }), 1, now),
      store.touch(record.id, now + 1, now + 60_000, now),
      store.listByUser(userId, now),
      store.create(buildRecord({ now })),
    ]);
    assert.ok(killed >= 5, `killed ${killed}`);
    assert.equal(values.length, 0, 'every blocked call was on a killed connection');
    assert.equal(errors.length, 5);
    for (const error of errors) {
      assertStoreError(error);
      assert.ok((error as Error).cause instanceof Error, 'the driver error is kept as cause');
    }

    // Recovered without help: fresh connections, every kind of call works, nothing was lost.
    assert.deepStrictEqual(await store.get(record.id, now), record);
    assert.equal(await store.update(nextVersion(record, { data: { n: 2 } }), 1, now), 'ok');
    assert.equal(await store.touch(record.id, now + 1, now + 60_000, now), true);
    assert.equal((await store.listByUser(userId, now)).length, 1);
    await store.ping();
  });

  it('SF-15 a burst of calls while connections are killed again and again: only results or store errors, then recovery', async () => {
    const { store, app } = openStore(6);
    const now = Date.now();
    const records = Array.from({ length: 20 }, () => buildRecord({ now }));
    for (const record of records) await store.create(record);

    const rounds: ReturnType<typeof settle>[] = [];
    let killed = 0;
    for (let round = 0; round < 5; round++) {
      rounds.push(settle<unknown>(records.flatMap((record) => [store.get(record.id, now), store.touch(record.id, now + round, now + 60_000, now)])));
      killed += await killBackends(admin, app);
    }
    const outcomes = await Promise.all(rounds);
    const values = outcomes.flatMap((o) => o.values);
    const errors = outcomes.flatMap((o) => o.errors);
    assert.ok(killed > 0, 'the kills hit live connections');
    assert.equal(values.length + errors.length, 5 * 2 * records.length);
    for (const error of errors) assertStoreError(error);

    for (const record of records) assert.equal((await store.get(record.id, now))?.id, record.id);
  });

  it('SF-15 idle connections killed: no crash (the error is absorbed), the pool drops them and reconnects', async () => {
    // A pool the application owns, with no 'error' listener of its own: the store's guard is
    // all that stands between a killed idle connection and an unhandled 'error' event.
    const app = unique('cc_sf15_user_pool');
    const pool = new pg.Pool({ connectionString: DATABASE_URL, application_name: app, max: 4 });
    const store = postgresStore({ pool, tableName: table, pruneIntervalMs: 0 });
    onCleanup(async () => {
      await store.close();
      await pool.end();
    });
    const now = Date.now();
    const record = buildRecord({ now });
    await store.create(record);
    await Promise.all(Array.from({ length: 4 }, () => store.get(record.id, now)));
    assert.ok(pool.idleCount > 0, 'idle connections exist');

    assert.ok((await killBackends(admin, app)) > 0);
    await waitFor('the pool to discard the dead connections', () => pool.totalCount === 0);
    assert.deepStrictEqual(await store.get(record.id, now), record);
  });

  it('SF-15 over HTTP: requests on killed connections answer 503 with the code and no Set-Cookie; then 200 with the same cookie', async () => {
    const { store, app: appName } = openStore(4);
    const app = await buildApp(store);
    onCleanup(() => app.close());
    const cookie = await login(app);

    const { values } = await killWhileBlocked(appName, 4, () =>
      Array.from({ length: 4 }, () => app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } })),
    );
    assert.equal(values.length, 4);
    for (const res of values) {
      assertOutage(res);
      assert.equal(res.headers['retry-after'], '1');
    }
    await assertStillAlice(app, cookie);
  });
});
