// Every store command against the shared Redis (a prefix per test), run through the CLI;
// a revocation is announced on the app's bus channel, which a subscriber here receives.
import { describe, it } from 'node:test';
import { waitFor } from '@coatcheck/testkit/wait-for';
import assert from 'node:assert/strict';
import { redisStore } from '@coatcheck/redis';
import { connectClient, REDIS_URL, uniquePrefix } from '../../redis/test/fixtures/clients.js';
import { seed } from './helpers/records.js';
import { runCli, runJson, type StatsReport } from './helpers/run-cli.js';

async function seeded(label: string) {
  const prefix = uniquePrefix(`cli-${label}`);
  const client = await connectClient(REDIS_URL, { cleanupPrefix: prefix });
  const store = redisStore({ client, prefix, checkConfig: false });
  const records = await seed(store);
  return { prefix, client, store, args: ['--store', REDIS_URL, '--prefix', prefix], ...records };
}

describe('coatcheck against Redis', () => {
  it('lists devices, shows a session, and counts stats under the prefix only', async () => {
    const { args, alice } = await seeded('read');
    await seeded('other'); // another app's sessions on the same server
    const list = await runJson<{ sessions: { id: string }[] }>(['sessions', 'list', '--user', 'alice', ...args]);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(list.json.sessions.map((s) => s.id).sort(), alice.map((r) => r.id).sort());
    const show = await runJson<{ userId: string; absoluteExpiresAt: number }>(['sessions', 'show', alice[1]!.id, ...args]);
    assert.equal(show.json.absoluteExpiresAt, alice[1]!.absoluteExpiresAt);
    const stats = await runJson<StatsReport>(['stats', ...args]);
    assert.equal(stats.json.live, 6);
    assert.equal(stats.json.anonymous, 2);
    assert.deepEqual(stats.json.topUsers[0], { userId: 'alice', sessions: 3 });
    assert.equal(stats.json.size.bytes, null);
    assert.match(stats.json.size.what, /unknown/);
  });

  it('revokes through the manager and announces it on the bus', async () => {
    const { args, prefix, alice } = await seeded('revoke');
    const subscriber = await connectClient(REDIS_URL);
    const messages: string[] = [];
    await subscriber.subscribe(`${prefix}bus`, (message) => messages.push(message));
    const result = await runJson<{ revoked: string[]; announced: boolean }>(['revoke', '--user', 'alice', '--except', alice[0]!.id, ...args]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.json.revoked.length, 2);
    assert.equal(result.json.announced, true);
    // Published before the command returned; delivered to this subscriber a moment later.
    const ended = await waitFor('the ended message on the bus', () =>
      messages.map((m) => JSON.parse(m) as { type?: string; ids?: string[] }).find((m) => m.type === 'ended'),
    );
    assert.deepEqual(ended?.ids?.sort(), result.json.revoked.sort());
    const left = await runJson<{ sessions: { id: string }[] }>(['sessions', 'list', '--user', 'alice', ...args]);
    assert.deepEqual(
      left.json.sessions.map((s) => s.id),
      [alice[0]!.id],
    );
  });

  it('finds stale user-index entries and prunes those past the grace period', async () => {
    const { args, prefix, client, alice } = await seeded('prune');
    // A record evicted or deleted behind the store's back leaves its index entry; one written
    // an hour ago is past the grace period, one written now is not (a write may be in flight).
    await client.del([`${prefix}s:${alice[0]!.id}`, `${prefix}s:${alice[1]!.id}`]);
    await client.zAdd(`${prefix}u:alice`, { score: Date.now() - 3_600_000, value: alice[0]!.id });
    const dry = await runJson<{ staleIndexEntries: number; expired: number }>(['prune', '--dry-run', ...args]);
    assert.equal(dry.json.staleIndexEntries, 2);
    assert.equal(await client.zCard(`${prefix}u:alice`), 3, 'a dry run changes nothing');
    const real = await runJson<{ indexesCleaned: number; staleIndexEntries: number }>(['prune', ...args]);
    assert.equal(real.json.indexesCleaned, 1);
    assert.equal(real.json.staleIndexEntries, 1);
    assert.deepEqual((await client.zRange(`${prefix}u:alice`, 0, -1)).sort(), [alice[1]!.id, alice[2]!.id].sort());
  });

  it('exits 3 with what to check when Redis is unreachable', async () => {
    const result = await runCli(['stats', '--store', 'redis://127.0.0.1:1', '--timeout', '500']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /127\.0\.0\.1:1/);
  });
});
