// Every store command against a real SQLite file, run through the CLI.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { BusMessage } from 'coatcheck/bus';
import { sqliteStore } from '@coatcheck/sqlite';
import { waitFor } from '@coatcheck/testkit/wait-for';
import { expiredRecord, seed } from './helpers/records.js';
import { runCli, runJson, tempDir, type StatsReport } from './helpers/run-cli.js';

async function seededFile() {
  const file = join(tempDir(), 'sessions.db');
  const store = sqliteStore({ filename: file, pruneIntervalMs: 0 });
  const seeded = await seed(store);
  const expired = expiredRecord();
  await store.create(expired);
  await store.close();
  return { file, url: `sqlite:${file}`, expired, ...seeded };
}

describe('coatcheck against SQLite', () => {
  it("SF-29 a revocation is announced on the SQLite file's bus, which the app's processes poll", async (t) => {
    const { file, url, alice } = await seededFile();
    const app = sqliteStore({ filename: file, pruneIntervalMs: 0 });
    t.after(() => app.close());
    const heard: BusMessage[] = [];
    app.bus().subscribe((message) => heard.push(message));
    const revoked = await runJson<{ revoked: string[]; announced: boolean; bus: string }>(['revoke', '--session', alice[0]!.id, '--store', url]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.deepEqual([revoked.json.announced, revoked.json.bus], [true, 'the SQLite file']);
    await waitFor('the announcement', () => heard.some((m) => m.type === 'ended' && m.ids.includes(alice[0]!.id)));
  });

  it('takes session ids that start with a dash (base64url: one in 64) as ids, not options', async () => {
    const file = join(tempDir(), 'dash.db');
    const store = sqliteStore({ filename: file, pruneIntervalMs: 0 });
    const { alice } = await seed(store);
    // Fresh ids, so a seeded id that already starts with a dash (one in 64) is never taken twice.
    // Two dashes (one id in 4,096) first: parseArgs would take `--3zmD…` for an unknown option.
    const dashed = { ...alice[0]!, id: `--3${randomBytes(18).toString('base64url').slice(3)}` };
    const other = { ...alice[1]!, id: `-h${randomBytes(18).toString('base64url').slice(2)}` };
    for (const record of [dashed, other]) assert.equal(await store.create(record), true);
    await store.close();
    const url = `sqlite:${file}`;
    const show = await runJson<{ id: string }>(['sessions', 'show', dashed.id, '--store', url]);
    assert.equal(show.code, 0, show.stderr);
    assert.equal(show.json.id, dashed.id);
    const revoked = await runJson<{ revoked: string[] }>(['revoke', '--session', other.id, '--store', url]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.deepEqual(revoked.json.revoked, [other.id]);
    const except = await runJson<{ revoked: string[] }>(['revoke', '--user', 'alice', '--except', dashed.id, '--store', url]);
    assert.equal(except.code, 0, except.stderr);
    assert.equal(except.json.revoked.includes(dashed.id), false);
  });

  it("lists a user's devices and shows one session with its lifetimes", async () => {
    const { url, alice } = await seededFile();
    const list = await runJson<{ sessions: { id: string; label: string; persistent: boolean }[] }>(['sessions', 'list', '--user', 'alice', '--store', url]);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(list.json.sessions.map((s) => s.id).sort(), alice.map((r) => r.id).sort());
    assert.ok(list.json.sessions.some((s) => s.label === 'Safari on iOS'));

    const show = await runJson<Record<string, unknown>>(['sessions', 'show', alice[0]!.id, '--store', url]);
    assert.equal(show.code, 0, show.stderr);
    assert.equal(show.json.userId, 'alice');
    assert.equal(show.json.idleExpiresAt, alice[0]!.expiresAt);
    assert.equal(show.json.absoluteExpiresAt, alice[0]!.absoluteExpiresAt);
    assert.deepEqual(show.json.dataKeys, ['theme']);
    assert.equal('data' in show.json, false, 'data values only with --data');
    const text = await runCli(['sessions', 'show', alice[0]!.id, '--store', url]);
    assert.match(text.stdout, /absolute expiry/);

    const missing = await runCli(['sessions', 'show', 'AAAAAAAAAAAAAAAAAAAAAAAA', '--store', url]);
    assert.equal(missing.code, 1);
  });

  it('shows the history of a session, and of one the CLI revoked, naming the CLI', async () => {
    const { file, url, alice } = await seededFile();
    const store = sqliteStore({ filename: file, pruneIntervalMs: 0 });
    const at = Date.now() - 60_000;
    const entry = {
      sessionId: alice[1]!.id,
      userId: 'alice',
      previousId: null,
      reason: 'login',
      ip: '203.0.113.7',
      userAgent: null,
      expiresAt: at + 3_600_000,
    };
    await store.appendHistory?.([{ ...entry, at, type: 'created', actor: 'user' }], { perSession: 10, perUser: 10 });
    await store.close();

    const show = await runJson<{ history: { type: string; actor: string }[] }>(['sessions', 'show', alice[1]!.id, '--store', url]);
    assert.equal(show.code, 0, show.stderr);
    assert.deepEqual(
      show.json.history.map((e) => `${e.type}/${e.actor}`),
      ['created/user'],
    );
    const text = await runCli(['sessions', 'show', alice[1]!.id, '--store', url]);
    assert.match(text.stdout, /history +1 entry, newest first:\n +\S+ +created \(login\) by user from 203\.0\.113\.7/);

    assert.equal((await runCli(['revoke', '--session', alice[1]!.id, '--store', url])).code, 0);
    const ended = await runJson<{ live: boolean; history: { type: string; actor: string; reason: string }[] }>([
      'sessions',
      'show',
      alice[1]!.id,
      '--store',
      url,
    ]);
    assert.equal(ended.code, 1, 'no live session');
    assert.equal(ended.json.live, false);
    assert.deepEqual(
      ended.json.history.map((e) => `${e.type}/${e.actor}/${e.reason}`),
      ['revoked/cli/revoke', 'created/user/login'],
    );
  });

  it('counts live sessions by kind and age, with the file size', async () => {
    const { url } = await seededFile();
    const { code, json } = await runJson<StatsReport>(['stats', '--store', url, '--top', '1']);
    assert.equal(code, 0);
    assert.equal(json.live, 6);
    assert.equal(json.signedIn, 4);
    assert.equal(json.anonymous, 2);
    assert.equal(json.persistent, 2);
    assert.equal(json.users, 2);
    assert.equal(json.expiredNotPruned, 1);
    assert.deepEqual(json.byAge, { '< 1h': 2, '1h-1d': 2, '1d-7d': 1, '7d-30d': 0, '>= 30d': 1 });
    assert.deepEqual(json.topUsers, [{ userId: 'alice', sessions: 3 }]);
    assert.ok((json.size.bytes ?? 0) > 0);
  });

  it('prunes expired records, and only counts them with --dry-run', async () => {
    const { url } = await seededFile();
    const dry = await runJson<{ expired: number }>(['prune', '--dry-run', '--store', url]);
    assert.equal(dry.json.expired, 1);
    const real = await runJson<{ expired: number }>(['prune', '--store', url]);
    assert.equal(real.json.expired, 1);
    const again = await runJson<{ expired: number }>(['prune', '--dry-run', '--store', url]);
    assert.equal(again.json.expired, 0);
  });

  it("revokes one session, then all of a user's other sessions", async () => {
    const { url, alice, anonymous } = await seededFile();
    const one = await runJson<{ revoked: string[] }>(['revoke', '--session', alice[0]!.id, '--store', url]);
    assert.deepEqual(one.json.revoked, [alice[0]!.id]);
    const others = await runJson<{ revoked: string[] }>(['revoke', '--user', 'alice', '--except', alice[1]!.id, '--store', url]);
    assert.deepEqual(others.json.revoked, [alice[2]!.id]);
    const anon = await runJson<{ revoked: string[] }>(['revoke', '--session', anonymous[0]!.id, '--store', url]);
    assert.deepEqual(anon.json.revoked, [anonymous[0]!.id]);
    const left = await runJson<{ sessions: { id: string }[] }>(['sessions', 'list', '--user', 'alice', '--store', url]);
    assert.deepEqual(
      left.json.sessions.map((s) => s.id),
      [alice[1]!.id],
    );
    const nothing = await runCli(['revoke', '--session', alice[0]!.id, '--store', url]);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /nothing revoked/);
  });

  it('says what to do about bad store URLs, missing files and missing arguments', async () => {
    const dir = tempDir();
    const [scheme, missing, noStore, both] = await Promise.all([
      runCli(['stats', '--store', 'mysql://db/app']),
      runCli(['stats', '--store', `sqlite:${join(dir, 'absent.db')}`]),
      runCli(['stats'], { env: { COATCHECK_STORE: undefined } }),
      runCli(['revoke', '--session', 'x', '--user', 'y', '--store', 'sqlite:./x.db']),
    ]);
    assert.equal(scheme.code, 2);
    for (const form of ['sqlite:', 'redis://', 'rediss://', 'redis+cluster://', 'redis+sentinel://', 'postgres://'])
      assert.ok(scheme.stderr.includes(form), form);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /no SQLite database/);
    assert.equal(noStore.code, 2);
    assert.match(noStore.stderr, /--store/);
    assert.equal(both.code, 2);
  });
});
