// Measures what one session costs in the memory and SQLite stores: creates N sessions with a
// typical payload, then reports heap growth (memory store) and file growth (SQLite, WAL
// checkpointed). Run: node --conditions=source --import tsx scripts/measure-store-size.mjs [N]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import { memoryStore } from 'coatcheck/memory';
import { sqliteStore } from '@coatcheck/sqlite';

const N = Number(process.argv[2] ?? 10_000);
const now = Date.now();
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

function record(i) {
  return {
    id: randomBytes(18).toString('base64url'),
    secretHash: createHash('sha256').update(randomBytes(32)).digest('base64url'),
    userId: `user-${i % 5000}`,
    data: {
      cart: [
        { item_id: 'sku-1001', quantity: 2 },
        { item_id: 'sku-2002', quantity: 1 },
        { item_id: 'sku-3003', quantity: 5 },
      ],
    },
    version: 1,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + 30 * 60_000,
    absoluteExpiresAt: now + 12 * 3600_000,
    persistent: false,
    authenticatedAt: now,
    device: { userAgent: UA, ip: '203.0.113.42' },
  };
}

async function fill(store) {
  for (let i = 0; i < N; i++) await store.create(record(i));
}

globalThis.gc?.();
const before = process.memoryUsage().heapUsed;
const memory = memoryStore({ sweepIntervalMs: 0, quiet: true });
await fill(memory);
globalThis.gc?.();
const heapPerSession = (process.memoryUsage().heapUsed - before) / N;

const dir = mkdtempSync(join(tmpdir(), 'coatcheck-size-'));
const file = join(dir, 'sessions.db');
const sqlite = sqliteStore({ filename: file, pruneIntervalMs: 0 });
const empty = sqlite.db.prepare('SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()').get().bytes;
await fill(sqlite);
sqlite.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
const filePerSession = (statSync(file).size - empty) / N;
await sqlite.close();
rmSync(dir, { recursive: true, force: true });

console.log(`| store | bytes per session (${N.toLocaleString('en')} sessions) |`);
console.log('|---|---:|');
console.log(`| memory (V8 heap${globalThis.gc ? '' : ', without --expose-gc: approximate'}) | ${Math.round(heapPerSession)} |`);
console.log(`| SQLite (database file, WAL checkpointed) | ${Math.round(filePerSession)} |`);
