// Measures the on-disk size of sessions in Postgres, for docs/postgres.md "Sizing":
//   node --conditions=source --import tsx packages/postgres/test/tools/measure-size.ts [count]
// Creates `count` (default 10 000) sessions with a typical payload through the store, reads
// pg_total_relation_size (heap + TOAST + both indexes + primary key) / count, touches every
// session once (as the manager's throttled touch would) and measures again, then drops the
// table. Not a test: no assertions, numbers for humans.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildRecord } from '@coatcheck/conformance';
import { postgresStore } from '@coatcheck/postgres';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const count = Number(process.argv[2] ?? 10_000);
// The payload of scripts/measure-store-size.mjs, so the numbers compare with the SQLite and
// memory figures in docs/stores.md: a user id, a three-line cart, a 111-character User-Agent.
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const cart = () => [
  { item_id: 'sku-1001', quantity: 2 },
  { item_id: 'sku-2002', quantity: 1 },
  { item_id: 'sku-3003', quantity: 5 },
];

const payloads: Record<string, { userId: (i: number) => string | null; data: () => Record<string, unknown> }> = {
  'logged in, three-line cart': { userId: (i) => `user-${i % 5000}`, data: () => ({ cart: cart() }) },
  'anonymous, three-line cart': { userId: () => null, data: () => ({ cart: cart() }) },
  'logged in, cart + CSRF token + prefs': {
    userId: (i) => `user-${i % 5000}`,
    data: () => ({ cart: cart(), csrf: randomBytes(24).toString('base64url'), prefs: { theme: 'dark', lang: 'en-GB' } }),
  },
};

async function measure(label: string, { userId, data }: (typeof payloads)[string]): Promise<void> {
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  const tableName = `cc_size_${randomBytes(4).toString('hex')}`;
  const store = postgresStore({ connectionString: url, tableName, pruneIntervalMs: 0, maxConnections: 4 });
  const size = async (): Promise<{ total: number; heap: number; indexes: number }> => {
    await admin.query(`ANALYZE "${tableName}"`);
    const { rows } = await admin.query<{ total: string; heap: string; indexes: string }>(
      'SELECT pg_total_relation_size($1::regclass) AS total, pg_relation_size($1::regclass) AS heap, pg_indexes_size($1::regclass) AS indexes',
      [tableName],
    );
    const row = rows[0];
    return { total: Number(row?.total) / count, heap: Number(row?.heap) / count, indexes: Number(row?.indexes) / count };
  };
  try {
    const now = Date.now();
    const records = Array.from({ length: count }, (_, i) =>
      buildRecord({ now, userId: userId(i), data: data(), device: { userAgent: UA, ip: '203.0.113.42' } }),
    );
    for (let i = 0; i < records.length; i += 4) await Promise.all(records.slice(i, i + 4).map((r) => store.create(r)));
    const fresh = await size();
    for (let i = 0; i < records.length; i += 4) {
      await Promise.all(records.slice(i, i + 4).map((r) => store.touch(r.id, now + 60_000, r.expiresAt + 60_000, now + 60_000)));
    }
    const touched = await size();
    await admin.query(`VACUUM "${tableName}"`);
    const dataBytes = Buffer.byteLength(JSON.stringify(records[0]?.data));
    console.log(
      `${label} (data ${dataBytes} B of JSON): fresh ${fresh.total.toFixed(0)} B/session ` +
        `(heap ${fresh.heap.toFixed(0)}, indexes ${fresh.indexes.toFixed(0)}); ` +
        `after one touch each ${touched.total.toFixed(0)} B/session (old row versions wait for VACUUM to reuse the space)`,
    );
  } finally {
    await store.close();
    await admin.query(`DROP TABLE IF EXISTS "${tableName}", "${tableName}_meta"`);
    await admin.end();
  }
}

for (const [label, payload] of Object.entries(payloads)) await measure(label, payload);
