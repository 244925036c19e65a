// The Postgres rate-limit backend passes the backend contract: every limiter instance on a
// pool of its own (as separate app instances would be), one table; and on the store's pool
// in a schema-qualified table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { describeRateLimitConformance } from '@coatcheck/conformance';
import { isSessionError } from 'coatcheck/errors';
import { postgresRateLimit } from '@coatcheck/postgres';
import { DATABASE_URL, onCleanup, unique, useAdmin } from './helpers/database.js';

const admin = useAdmin();
const table = unique('cc_rl');
onCleanup(() => admin.query(`DROP TABLE IF EXISTS "${table}"`));
const pools: pg.Pool[] = [];
onCleanup(() => Promise.all(pools.map((pool) => pool.end())));
// Generous deadline: the suite checks semantics, not latency.
const opTimeoutMs = 10_000;

const holdsIn = (qualified: string) => async (key: string) => ((await admin.query(`SELECT 1 FROM ${qualified} WHERE key = $1`, [key])).rowCount ?? 0) > 0;

describeRateLimitConformance(
  'postgresRateLimit (a pool per instance, one table)',
  () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 5 });
    pools.push(pool);
    return postgresRateLimit({ pool, tableName: table, opTimeoutMs });
  },
  { holds: holdsIn(`"${table}"`) },
);

const schema = unique('cc_rl_schema');
onCleanup(() => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
const shared = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
pools.push(shared);
describeRateLimitConformance(
  'postgresRateLimit (shared pool, schema-qualified table)',
  async () => {
    await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    return postgresRateLimit({ pool: shared, schema, opTimeoutMs });
  },
  { holds: holdsIn(`"${schema}".coatcheck_rate_limits`) },
);

describe('postgresRateLimit', () => {
  it('refuses bad options with a message that says how to fix them', () => {
    assert.throws(() => postgresRateLimit({} as never), /`pool` must be a pg.Pool/);
    assert.throws(() => postgresRateLimit({ pool: shared, tableName: 'x;drop' }), /`tableName` must be letters/);
    assert.throws(() => postgresRateLimit({ pool: shared, opTimeoutMs: -1 }), /`opTimeoutMs` must be an integer/);
  });

  it('with createTable off, a missing table is a SessionStoreError naming the failure', async () => {
    const backend = postgresRateLimit({ pool: shared, tableName: unique('cc_rl_missing'), createTable: false, opTimeoutMs });
    await assert.rejects(backend.consume('k', { now: 0, incrementMs: 1, capacityMs: 1 }), (error) => {
      assert.ok(isSessionError(error));
      assert.equal(error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
      assert.match(error.message, /42P01/);
      return true;
    });
    await backend.close();
    await assert.rejects(backend.reset('k'), /closed/);
  });
});
