// (cc-sqlite / cc-sqlite-cache) Fastify + @coatcheck/fastify + sqliteStore on a temporary file
// (removed on exit). CACHE=1 adds memoryBus + the local cache: one process, so every write
// goes through this manager and invalidates the cache itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryBus } from 'coatcheck/bus';
import { sqliteStore } from '@coatcheck/sqlite';
import { startCoatcheckServer } from './cc-app.mjs';

const dir = mkdtempSync(join(tmpdir(), 'coatcheck-bench-'));
const store = sqliteStore({ filename: join(dir, 'sessions.db') });
const app = await startCoatcheckServer(store, process.env.CACHE === '1' ? { bus: memoryBus(), cache: true } : {});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    try {
      await app.close();
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
}
