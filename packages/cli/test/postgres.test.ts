// Every store command against Postgres (database `test`, a table per test), run through the
// CLI; a revocation is announced with NOTIFY on the app's channel.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { postgresStore } from '@coatcheck/postgres';
import { DATABASE_URL, onCleanup, unique, useAdmin, useTable } from '../../postgres/test/helpers/database.js';
import { expiredRecord, seed } from './helpers/records.js';
import { runCli, runJson, type StatsReport } from './helpers/run-cli.js';

const admin = useAdmin();

async function seeded() {
  const table = useTable(admin, 'cc_cli');
  const store = postgresStore({ connectionString: DATABASE_URL, tableName: table, pruneIntervalMs: 0 });
  await store.ready();
  const records = await seed(store);
  await store.create(expiredRecord());
  await store.close();
  return { table, args: ['--store', DATABASE_URL, '--table', table], ...records };
}

describe('coatcheck against Postgres', () => {
  it('lists devices, shows a session, and counts stats with the table size', async () => {
    const { args, alice, bob } = await seeded();
    const list = await runJson<{ sessions: { id: string }[] }>(['sessions', 'list', '--user', 'alice', ...args]);
    assert.equal(list.code, 0, list.stderr);
    const oldestFirst = [...alice].sort((a, b) => a.createdAt - b.createdAt).map((r) => r.id);
    assert.deepEqual(
      list.json.sessions.map((s) => s.id),
      oldestFirst,
    );
    const show = await runJson<{ userId: string; persistent: boolean }>(['sessions', 'show', bob[0]!.id, ...args]);
    assert.equal(show.json.userId, 'bob');
    assert.equal(show.json.persistent, true);
    const stats = await runJson<StatsReport>(['stats', ...args]);
    assert.equal(stats.json.live, 6);
    assert.equal(stats.json.expiredNotPruned, 1);
    assert.equal(stats.json.byAge['>= 30d'], 1);
    assert.ok((stats.json.size.bytes ?? 0) > 0);
  });

  it('prunes with --dry-run first, then for real', async () => {
    const { args } = await seeded();
    const dry = await runJson<{ expired: number; staleIndexEntries: null }>(['prune', '--dry-run', ...args]);
    assert.equal(dry.json.expired, 1);
    assert.equal(dry.json.staleIndexEntries, null);
    const real = await runJson<{ expired: number }>(['prune', ...args]);
    assert.equal(real.json.expired, 1);
    const stats = await runJson<{ expiredNotPruned: number; live: number }>(['stats', ...args]);
    assert.equal(stats.json.expiredNotPruned, 0);
    assert.equal(stats.json.live, 6);
  });

  it('revokes through the manager and announces it with NOTIFY on the channel', async () => {
    const { args, alice } = await seeded();
    const channel = unique('cc_cli_bus');
    const listener = new pg.Client({ connectionString: DATABASE_URL });
    await listener.connect();
    onCleanup(() => listener.end());
    const payloads: string[] = [];
    listener.on('notification', (n) => payloads.push(n.payload ?? ''));
    await listener.query(`LISTEN "${channel}"`);
    const result = await runJson<{ revoked: string[]; announced: boolean }>(['revoke', '--session', alice[2]!.id, '--channel', channel, ...args]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.json.revoked, [alice[2]!.id]);
    assert.equal(result.json.announced, true);
    // The NOTIFY is committed before the command returns; one round trip delivers what is queued.
    await listener.query('SELECT 1');
    assert.ok(
      payloads.some((p) => p.includes(alice[2]!.id)),
      `no NOTIFY naming the session: ${payloads.join(' | ')}`,
    );
  });

  it("doctor checks the table with the store's own read, the clock and the latency", async () => {
    const { args } = await seeded();
    const { code, json } = await runJson<{ findings: { check: string; level: string }[] }>(['doctor', ...args], { env: { SESSION_SECRET: undefined } });
    assert.equal(code, 0, JSON.stringify(json.findings));
    const levels = Object.fromEntries(json.findings.map((f) => [f.check, f.level]));
    assert.equal(levels['postgres.schema'], 'ok');
    assert.equal(levels['store.clock'], 'ok');
    assert.ok(levels['store.latency']);
    await admin.query(`ALTER TABLE "${args[3]}" DROP COLUMN ip`);
    const broken = await runJson<{ findings: { check: string; level: string }[] }>(['doctor', ...args], { env: { SESSION_SECRET: undefined } });
    assert.equal(broken.code, 1);
    assert.equal(broken.json.findings.find((f) => f.check === 'postgres.schema')?.level, 'fail');
  });

  it('exits 3 naming the table when it does not exist', async () => {
    const result = await runCli(['stats', '--store', DATABASE_URL, '--table', unique('cc_cli_absent')]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /cc_cli_absent/);
  });
});
