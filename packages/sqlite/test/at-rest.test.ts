// TG-08: what is at rest is exactly what the store was given. The manager hands over only the
// SHA-256 of a ticket secret; the table and the files on disk must hold that hash and the
// record's own fields, nothing derived, nothing extra.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { buildRecord } from '@coatcheck/conformance';
import { sqliteStore } from '@coatcheck/sqlite';
import { useTempDir } from './fixtures/temp-dir.js';

const path = useTempDir();

const EXPECTED_COLUMNS = [
  'id',
  'secret_hash',
  'user_id',
  'data',
  'version',
  'created_at',
  'last_seen_at',
  'expires_at',
  'absolute_expires_at',
  'persistent',
  'authenticated_at',
  'user_agent',
  'ip',
];

describe('TG-08 tokens at rest', () => {
  it('TG-08 rows hold the given secret hash and record fields only; no raw secret on disk', async () => {
    const filename = path('at-rest.db');
    const store = sqliteStore({ filename, pruneIntervalMs: 0 });
    const now = Date.now();
    const tickets = [0, 1, 2].map((i) => {
      const secret = randomBytes(32);
      const secretHash = createHash('sha256').update(secret).digest('base64url');
      const record = buildRecord({ now, secretHash, userId: i === 0 ? null : `user-${i}`, persistent: i === 2, data: { i } });
      return { secret, record };
    });
    for (const { record } of tickets) assert.equal(await store.create(record), true);

    const columns = (store.db.prepare('PRAGMA table_info(coatcheck_sessions)').all() as { name: string }[]).map((c) => c.name);
    assert.deepStrictEqual(columns, EXPECTED_COLUMNS);

    // Plain objects: node:sqlite's rows have no prototype.
    const rows = store.db
      .prepare('SELECT * FROM coatcheck_sessions ORDER BY rowid')
      .all()
      .map((row) => ({ ...row }));
    assert.deepStrictEqual(
      rows,
      tickets.map(({ record: r }) => ({
        id: r.id,
        secret_hash: r.secretHash,
        user_id: r.userId,
        data: JSON.stringify(r.data),
        version: r.version,
        created_at: r.createdAt,
        last_seen_at: r.lastSeenAt,
        expires_at: r.expiresAt,
        absolute_expires_at: r.absoluteExpiresAt,
        persistent: r.persistent ? 1 : 0,
        authenticated_at: r.authenticatedAt,
        user_agent: r.device.userAgent,
        ip: r.device.ip,
      })),
    );

    // Every byte on disk: the main file and the write-ahead log (not yet checkpointed).
    const disk = Buffer.concat([filename, `${filename}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
    for (const { secret, record } of tickets) {
      assert.ok(disk.includes(record.secretHash), 'positive control: the scan sees what was written');
      for (const form of [secret, secret.toString('base64url'), secret.toString('hex'), secret.toString('base64')]) {
        assert.ok(!disk.includes(form), 'the raw secret is nowhere on disk');
      }
    }
    await store.close();
  });
});
