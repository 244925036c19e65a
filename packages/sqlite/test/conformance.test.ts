// SF-01: the SQLite store passes the shared store contract, on a WAL file and in memory.
import { describeStoreConformance } from '@coatcheck/conformance';
import { sqliteStore, type SqliteStore } from '@coatcheck/sqlite';
import { useTempDir } from './fixtures/temp-dir.js';

const path = useTempDir();
let files = 0;

// A new file per store keeps every test (and every model-based run) independent.
// A restart opens the file the first store used.
describeStoreConformance('sqliteStore (file, WAL)', () => sqliteStore({ filename: path(`conformance-${files++}.db`), pruneIntervalMs: 0 }), {
  restart: (store) => sqliteStore({ filename: (store as SqliteStore).db.name, pruneIntervalMs: 0 }),
});

describeStoreConformance('sqliteStore (:memory:)', () => sqliteStore({ pruneIntervalMs: 0 }));
