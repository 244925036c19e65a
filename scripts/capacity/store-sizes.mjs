// Bytes one live session costs in each store, the way each store's own sizing is measured:
// Redis as the growth of INFO memory used_memory on a private server (as
// packages/redis/test/sizing.test.ts does), Postgres as pg_total_relation_size (heap, TOAST
// and every index) per row, fresh and after one touch of each row (as
// packages/postgres/test/tools/measure-size.ts does), SQLite as the growth of the file with
// the WAL checkpointed (as scripts/measure-store-size.mjs does).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisStore } from '@coatcheck/redis';
import { postgresStore } from '@coatcheck/postgres';
import { sqliteStore } from '@coatcheck/sqlite';
import { fillStore, sessionRecord } from './workload.mjs';

/** Redis: `used_memory` growth per session, its user-index entry included. */
export async function measureRedisSize(client, count) {
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
  // A loaded machine queues these writes: the production deadline (1 s) is no bound here.
  const store = redisStore({ client, prefix: 'capacity-size:', checkConfig: false, opTimeoutMs: 60_000 });
  const before = await usedMemory();
  await fillStore(store, count, 200);
  const perSession = ((await usedMemory()) - before) / count;
  const sample = (await client.scanIterator({ MATCH: 'capacity-size:s:*', COUNT: 10 }).next()).value?.[0];
  const valueBytes = sample ? await client.strLen(sample) : 0;
  await client.flushDb();
  return { bytesPerSession: Math.round(perSession), valueBytes, redisVersion: /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown' };
}

/** Postgres: bytes per row with every index, fresh and after one touch each, in a schema of its own. */
export async function measurePostgresSize(url, count) {
  const schema = `capacity_${randomBytes(4).toString('hex')}`;
  const store = postgresStore({ connectionString: url, schema, pruneIntervalMs: 0, maxConnections: 8, opTimeoutMs: 60_000 });
  // The store's own pool: the schema must exist before the store creates its table in it.
  const query = (text, values) => store.pool.query(text, values);
  const size = async () => {
    await query(`ANALYZE ${store.table}`);
    const { rows } = await query(
      'SELECT pg_total_relation_size($1::regclass) AS total, pg_relation_size($1::regclass) AS heap, pg_indexes_size($1::regclass) AS indexes',
      [store.table],
    );
    return { total: Number(rows[0].total) / count, heap: Number(rows[0].heap) / count, indexes: Number(rows[0].indexes) / count };
  };
  try {
    await query(`CREATE SCHEMA "${schema}"`);
    await store.ready();
    const now = Date.now();
    const records = Array.from({ length: count }, (_, i) => sessionRecord(i, count, now));
    for (let i = 0; i < count; i += 8) await Promise.all(records.slice(i, i + 8).map((record) => store.create(record)));
    const fresh = await size();
    // One touch per row, as the manager's throttled touch writes it: the steady state holds
    // a dead row version per session until VACUUM reuses the space.
    for (let i = 0; i < count; i += 8) {
      await Promise.all(records.slice(i, i + 8).map((r) => store.touch(r.id, now + 60_000, r.expiresAt + 60_000, now + 60_000)));
    }
    const touched = await size();
    const { rows } = await query('SHOW server_version');
    return {
      bytesPerSession: Math.round(touched.total),
      freshBytesPerSession: Math.round(fresh.total),
      heapBytesPerSession: Math.round(fresh.heap),
      indexBytesPerSession: Math.round(fresh.indexes),
      postgresVersion: rows[0].server_version,
    };
  } finally {
    await query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await store.close();
  }
}

/** SQLite: file growth per session, WAL checkpointed. */
export async function measureSqliteSize(count) {
  const dir = mkdtempSync(join(tmpdir(), 'coatcheck-capacity-'));
  const filename = join(dir, 'sessions.db');
  const store = sqliteStore({ filename, pruneIntervalMs: 0 });
  try {
    const pages = () => store.db.prepare('SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()').get().bytes;
    const empty = pages();
    await fillStore(store, count, 1);
    store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    return { bytesPerSession: Math.round((statSync(filename).size - empty) / count) };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
