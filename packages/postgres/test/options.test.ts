// Options are checked once, at construction, with messages that say what to change; and
// `createTable: false` never touches the schema (migrations own it), failing closed instead.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { isSessionError } from 'coatcheck/errors';
import { postgresBus, postgresStore, type PostgresStoreOptions, type PostgresBusOptions } from '@coatcheck/postgres';
import { DATABASE_URL, onCleanup, unique, useAdmin } from './helpers/database.js';
import { assertStoreError } from './helpers/errors.js';

const admin = useAdmin();
const isConfigError = (error: unknown): boolean => isSessionError(error) && error.code === 'ERR_SESSION_INVALID_OPTION';

describe('options', () => {
  it('invalid store options throw ERR_SESSION_INVALID_OPTION naming the option', () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL });
    onCleanup(() => pool.end());
    const cases: [unknown, RegExp][] = [
      [undefined, /pool.*connectionString/],
      [{}, /pool.*connectionString/],
      [{ pool, connectionString: DATABASE_URL }, /not both/],
      [{ pool: {} }, /pg\.Pool/],
      [{ connectionString: '' }, /connectionString/],
      [{ connectionString: undefined }, /connectionString` is undefined. Is DATABASE_URL set\?/],
      [{ pool, maxConnections: 5 }, /maxConnections/],
      [{ connectionString: DATABASE_URL, maxConnections: 0 }, /maxConnections/],
      [{ connectionString: DATABASE_URL, opTimeoutMs: 0 }, /opTimeoutMs/],
      [{ connectionString: DATABASE_URL, opTimeoutMs: 1.5 }, /opTimeoutMs/],
      [{ connectionString: DATABASE_URL, pruneIntervalMs: -1 }, /pruneIntervalMs/],
      [{ connectionString: DATABASE_URL, pruneIntervalMs: 2 ** 31 }, /pruneIntervalMs/],
      [{ connectionString: DATABASE_URL, createTable: 'yes' }, /createTable/],
      [{ connectionString: DATABASE_URL, onCorrupt: 'log' }, /onCorrupt/],
      [{ connectionString: DATABASE_URL, now: 5 }, /now/],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => postgresStore(options as PostgresStoreOptions),
        (e) => isConfigError(e) && message.test((e as Error).message),
        JSON.stringify(options ?? null),
      );
    }
  });

  it('invalid bus options throw ERR_SESSION_INVALID_OPTION naming the option', () => {
    const cases: [unknown, RegExp][] = [
      [{}, /pool.*connectionString/],
      [{ connectionString: DATABASE_URL, heartbeatIntervalMs: -5 }, /heartbeatIntervalMs/],
      [{ connectionString: DATABASE_URL, minReconnectDelayMs: 0 }, /minReconnectDelayMs/],
      [{ connectionString: DATABASE_URL, minReconnectDelayMs: 500, maxReconnectDelayMs: 100 }, /must not exceed/],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => postgresBus(options as PostgresBusOptions),
        (e) => isConfigError(e) && message.test((e as Error).message),
        JSON.stringify(options),
      );
    }
  });

  it('createTable: false never creates anything; a missing table fails closed with a store error', async () => {
    const tableName = unique('cc_not_created');
    const store = postgresStore({ connectionString: DATABASE_URL, tableName, createTable: false, pruneIntervalMs: 0 });
    onCleanup(() => store.close());
    await assert.rejects(store.ping(), (error) => (assertStoreError(error), /does not exist/.test((error as Error).message)));
    await assert.rejects(store.get('x', Date.now()), (error) => (assertStoreError(error), true));
    const { rows } = await admin.query('SELECT to_regclass($1) AS found', [tableName]);
    assert.equal(rows[0]?.found, null);
  });

  it('many instances creating the same table at once all succeed (serialized DDL)', async () => {
    const tableName = unique('cc_race');
    onCleanup(() => admin.query(`DROP TABLE IF EXISTS "${tableName}", "${tableName}_meta"`));
    const stores = Array.from({ length: 8 }, () =>
      postgresStore({ connectionString: DATABASE_URL, tableName, pruneIntervalMs: 0, maxConnections: 1, opTimeoutMs: 10_000 }),
    );
    onCleanup(() => Promise.all(stores.map((store) => store.close())));
    await Promise.all(stores.map((store) => store.ping()));
  });
});
