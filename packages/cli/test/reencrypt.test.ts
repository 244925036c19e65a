// `coatcheck reencrypt` on SQLite, Redis and Postgres (the Cluster run is in
// redis-cluster.test.ts): after a key rotation, every live record is sealed under the new key
// (records under the old key and plain ones alike), the app still reads its data with the new
// key list, and --dry-run changes nothing. A record sealed with a key that was not given is
// left alone and reported (exit 1).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sqliteStore } from '@coatcheck/sqlite';
import { redisStore } from '@coatcheck/redis';
import { postgresStore } from '@coatcheck/postgres';
import { connectClient, REDIS_URL, uniquePrefix } from '../../redis/test/fixtures/clients.js';
import { DATABASE_URL, useAdmin, useTable } from '../../postgres/test/helpers/database.js';
import { rotateAndCheck } from './helpers/reencrypt.js';
import { runCli, tempDir } from './helpers/run-cli.js';

describe('coatcheck reencrypt', () => {
  it('SQLite: rotates every record to the new key', async () => {
    const file = join(tempDir(), 'sessions.db');
    await rotateAndCheck({ open: () => sqliteStore({ filename: file, pruneIntervalMs: 0 }), args: ['--store', `sqlite:${file}`] });
  });

  it('Redis: rotates every record to the new key', async () => {
    const prefix = uniquePrefix('cli-reencrypt');
    const client = await connectClient(REDIS_URL, { cleanupPrefix: prefix });
    await rotateAndCheck({ open: () => redisStore({ client, prefix, checkConfig: false }), args: ['--store', REDIS_URL, '--prefix', prefix] });
  });

  it('Postgres: rotates every record to the new key', async () => {
    const table = useTable(useAdmin(), 'cc_cli_reenc');
    await rotateAndCheck({
      open: () => postgresStore({ connectionString: DATABASE_URL, tableName: table, pruneIntervalMs: 0 }),
      args: ['--store', DATABASE_URL, '--table', table],
    });
  });

  it('says where the keys go when none are given, and refuses a weak one', async () => {
    const missing = await runCli(['reencrypt', '--store', 'sqlite:./none.db'], { env: { SESSION_ENCRYPTION_KEYS: undefined } });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /SESSION_ENCRYPTION_KEYS is not set: give the app's encryption\.keys there, comma-separated, the current key first/);
    const weak = await runCli(['reencrypt', '--store', 'sqlite:./none.db'], { env: { SESSION_ENCRYPTION_KEYS: 'short' } });
    assert.equal(weak.code, 2);
    assert.match(weak.stderr, /encryption\.keys\[0\] has 5 bytes/);
  });
});
