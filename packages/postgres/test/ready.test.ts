// store.ready() at start-up: connects and sets up the table, or fails within the bound with
// the URL (password hidden) and what to check; answers retrying cannot change fail at once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import pg from 'pg';
import { SessionConfigError, SessionStartupError } from 'coatcheck/errors';
import { DEFAULT_READY_TIMEOUT_MS, postgresStore, type PostgresStore, type PostgresStoreOptions } from '@coatcheck/postgres';
import { DATABASE_URL, onCleanup, unique, useAdmin, useTable } from './helpers/database.js';

const admin = useAdmin();

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function storeFor(options: PostgresStoreOptions): PostgresStore {
  const store = postgresStore({ pruneIntervalMs: 0, ...options } as PostgresStoreOptions);
  onCleanup(() => store.close());
  return store;
}

function urlWith(change: (url: URL) => void): string {
  const url = new URL(DATABASE_URL);
  change(url);
  return url.toString();
}

/** Asserts `promise` rejects with a start-up error and returns its message. */
async function startupFailure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail('ready() resolved'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SessionStartupError, `a SessionStartupError, got ${String(error)}`);
  assert.equal(error.code, 'ERR_SESSION_STORE_STARTUP');
  assert.equal(error.store, 'postgres');
  assert.ok(error.cause instanceof Error, 'the driver error is the cause');
  return error.message;
}

const tableExists = async (name: string) => (await admin.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`"${name}"`])).rows[0]?.t !== null;

describe('postgresStore ready()', () => {
  it('connects and creates the table', async () => {
    const table = useTable(admin);
    const store = storeFor({ connectionString: DATABASE_URL, tableName: table });
    assert.equal(await tableExists(table), false);
    await store.ready();
    assert.equal(await tableExists(table), true);
  });

  it('a closed port fails within the bound with the URL, its password hidden, and what to check', async () => {
    const port = await closedPort();
    const url = urlWith((u) => {
      u.hostname = '127.0.0.1';
      u.port = String(port);
      u.password = 'hunter2';
    });
    const store = storeFor({ connectionString: url });
    const message = await startupFailure(store.ready({ timeoutMs: 500 }));
    assert.match(message, new RegExp(`Could not connect to Postgres at postgres://[^:]+:\\*\\*\\*@127\\.0\\.0\\.1:${port}/\\S+ within 500 ms`));
    assert.match(message, /ECONNREFUSED/);
    assert.doesNotMatch(message, /hunter2/);
    assert.match(message, /server is running/);
    assert.match(message, /DATABASE_URL/);
    assert.match(message, /database exists/);
    assert.match(message, /user and password/);
  });

  it('a database that does not exist fails at once, naming it and the fix', async () => {
    const missing = unique('cc_no_such_db');
    const store = storeFor({ connectionString: urlWith((u) => void (u.pathname = `/${missing}`)) });
    // A minute-long bound: this message only comes from the immediate failure.
    const message = await startupFailure(store.ready({ timeoutMs: 60_000 }));
    assert.match(message, new RegExp(`database "${missing}" does not exist \\(3D000\\)`));
    assert.match(message, /CREATE DATABASE/);
    assert.match(message, /DATABASE_URL/);
  });

  it('a role the server does not know fails at once with what to check', async () => {
    const store = storeFor({ connectionString: urlWith((u) => void (u.username = 'cc_no_such_role')) });
    const message = await startupFailure(store.ready({ timeoutMs: 60_000 }));
    assert.match(message, /refused the login: role "cc_no_such_role" does not exist \(28000\)/);
    assert.match(message, /user and password in DATABASE_URL/);
    assert.match(message, /pg_hba\.conf/);
  });

  it('with createTable off, a missing table fails at once, pointing to the DDL', async () => {
    const table = useTable(admin);
    const store = storeFor({ connectionString: DATABASE_URL, tableName: table, createTable: false });
    const message = await startupFailure(store.ready({ timeoutMs: 60_000 }));
    assert.match(
      message,
      new RegExp(`the sessions table ${table} or its history table ${table}_history does not exist \\(42P01\\) and \`createTable\` is off`),
    );
    assert.match(message, /docs\/postgres\.md/);
  });

  it('works on a pool you own, named by its settings', async () => {
    const port = await closedPort();
    const pool = new pg.Pool({ host: '127.0.0.1', port, user: 'someone', password: 'hunter2', database: 'shop', connectionTimeoutMillis: 200 });
    onCleanup(() => pool.end());
    const store = storeFor({ pool });
    const message = await startupFailure(store.ready({ timeoutMs: 500 }));
    assert.match(message, new RegExp(`Postgres at postgres://someone@127\\.0\\.0\\.1:${port}/shop within 500 ms`));
    assert.doesNotMatch(message, /hunter2/);
  });

  it('defaults to a 10 s bound and refuses one that is not a positive integer', async () => {
    assert.equal(DEFAULT_READY_TIMEOUT_MS, 10_000);
    const store = storeFor({ connectionString: DATABASE_URL });
    for (const timeoutMs of [0, 1.5, -5]) {
      assert.throws(
        () => store.ready({ timeoutMs }),
        (error: unknown) => {
          assert.ok(error instanceof SessionConfigError);
          assert.match(error.message, /postgresStore\.ready: `timeoutMs` must be an integer number of milliseconds/);
          return true;
        },
      );
    }
  });
});
