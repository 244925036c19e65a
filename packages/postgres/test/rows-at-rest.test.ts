// What is actually in the table. TG-08: the row holds the given secret hash and the record's
// fields, nothing derived. SF-14: whatever touch is asked, expires_at never passes the
// absolute limit and never shrinks. SF-25: what jsonb cannot hold (NUL, lone surrogates)
// round-trips anyway, and ordinary data stays queryable as plain jsonb.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecord, HOUR, MINUTE } from '@coatcheck/conformance';
import { postgresStore } from '@coatcheck/postgres';
import { DATABASE_URL, onCleanup, useAdmin, useTable } from './helpers/database.js';

const admin = useAdmin();
const table = useTable(admin, 'cc_rows');
const store = postgresStore({ connectionString: DATABASE_URL, tableName: table, pruneIntervalMs: 0 });
onCleanup(() => store.close());

async function row(id: string): Promise<Record<string, unknown>> {
  const { rows } = await admin.query(`SELECT * FROM "${table}" WHERE id = $1`, [id]);
  assert.equal(rows.length, 1);
  return rows[0] as Record<string, unknown>;
}

describe('rows at rest', () => {
  it('TG-08 the row holds exactly the record: the given secret hash, typed columns, data as jsonb', async () => {
    const now = Date.now();
    const record = buildRecord({ now, userId: 'user-at-rest', persistent: true, data: { cart: ['a', 'b'], n: 1 } });
    await store.create(record);
    assert.deepStrictEqual(await row(record.id), {
      id: record.id,
      secret_hash: record.secretHash,
      user_id: 'user-at-rest',
      data: { cart: ['a', 'b'], n: 1 },
      version: 1,
      created_at: String(record.createdAt),
      last_seen_at: String(record.lastSeenAt),
      expires_at: String(record.expiresAt),
      absolute_expires_at: String(record.absoluteExpiresAt),
      persistent: true,
      authenticated_at: String(record.authenticatedAt),
      user_agent: record.device.userAgent,
      ip: record.device.ip,
    });
    const { rows } = await admin.query(`SELECT data->'cart'->>1 AS second FROM "${table}" WHERE id = $1`, [record.id]);
    assert.equal(rows[0]?.second, 'b', 'data is ordinary jsonb, queryable with the usual operators');
  });

  it('SF-14 continuous touches never push expires_at past the absolute limit nor pull it back', async () => {
    const now = Date.now();
    const record = buildRecord({ now, idleMs: 30 * MINUTE, absoluteMs: 2 * HOUR });
    await store.create(record);
    let previous = record.expiresAt;
    for (let t = now; t < now + 3 * HOUR; t += 20 * MINUTE) {
      // Asked to extend to t + 30 min, or (a stale caller) to something shorter.
      await store.touch(record.id, t, t + 30 * MINUTE, t);
      await store.touch(record.id, t - MINUTE, t + MINUTE, t);
      const stored = await row(record.id);
      const expiresAt = Number(stored.expires_at);
      assert.ok(expiresAt <= record.absoluteExpiresAt, 'never past the absolute limit');
      assert.ok(expiresAt >= previous, 'never shortened');
      previous = expiresAt;
    }
    assert.equal(previous, record.absoluteExpiresAt);
  });

  it('SF-25 NUL, lone surrogates and U+E000 round-trip through jsonb in values and keys', async () => {
    const now = Date.now();
    const data = {
      nul: 'a\u0000b',
      lone: ['\ud800', 'x\udfffy', '\udbff'],
      pair: '😀',
      marker: '\uE000 and \uE0000 and \uE000E',
      escapes: '\\u0000 is not a NUL, nor is \\\\u0000',
      'key\u0000with nul': { '\ud83d': true },
    };
    const record = buildRecord({ now, data });
    assert.equal(await store.create(record), true);
    assert.deepStrictEqual((await store.get(record.id, now))?.data, data);
    const { rows } = await admin.query(`SELECT data->>'pair' AS pair, data->>'escapes' AS escapes FROM "${table}" WHERE id = $1`, [record.id]);
    assert.deepStrictEqual(rows[0], { pair: '😀', escapes: data.escapes }, 'ordinary strings are stored unchanged');
  });
});
