// (cc-sqlite / cc-sqlite-nocache / cc-sqlite-2proc) Fastify + @coatcheck/fastify + sqliteStore
// on a temporary file (removed on exit).
// - cc-sqlite: the manager's defaults, so the store's bus (the SQLite file's change table) and
//   the local cache: safe with any number of processes on the file.
// - NOCACHE=1 (cc-sqlite-nocache): `cache: false`, every request reads its row.
// - WORKERS=2 (cc-sqlite-2proc): node:cluster, two processes with the defaults sharing the file
//   and the port; a write in one reaches the other's cache through the bus.
import cluster from 'node:cluster';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStore } from '@coatcheck/sqlite';
import { startCoatcheckServer } from './cc-app.mjs';

const workers = Number(process.env.WORKERS ?? 1);

if (cluster.isPrimary) {
  const dir = mkdtempSync(join(tmpdir(), 'coatcheck-bench-'));
  const filename = join(dir, 'sessions.db');
  if (workers > 1) {
    for (let i = 0; i < workers; i++) cluster.fork({ DB_FILE: filename });
    // A worker that dies takes the variant down: the runner then sees the server gone.
    cluster.on('exit', () => process.exit(1));
  }
  const app = workers > 1 ? null : await serve(filename);
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, async () => {
      try {
        cluster.removeAllListeners('exit');
        for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
        await app?.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      }
    });
  }
} else {
  const app = await serve(process.env.DB_FILE);
  process.once('SIGTERM', async () => {
    await app.close();
    process.exit(0);
  });
}

async function serve(filename) {
  const store = sqliteStore({ filename });
  const app = await startCoatcheckServer(store, process.env.NOCACHE === '1' ? { cache: false } : {});
  return {
    async close() {
      await app.close();
      await store.close();
    },
  };
}
