// SF-01: the SQLite store passes the shared store contract, on a WAL file and in memory, on
// each driver; and with every store on one file, as processes sharing it are, so the racing
// capped creates run on two connections (AB-08).
import { describe } from 'node:test';
import { describeStoreConformance } from '@coatcheck/conformance';
import { sqliteStore, type SqliteStore } from '@coatcheck/sqlite';
import { DRIVERS } from './fixtures/drivers.js';
import { useTempDir } from './fixtures/temp-dir.js';

const path = useTempDir();
let files = 0;

for (const { driver, skip } of DRIVERS) {
  describe(`sqliteStore on ${driver}`, { skip }, () => {
    // A new file per store keeps every test (and every model-based run) independent.
    // A restart opens the file the first store used.
    describeStoreConformance(
      `sqliteStore on ${driver} (file, WAL)`,
      () => sqliteStore({ filename: path(`conformance-${files++}.db`), driver, pruneIntervalMs: 0 }),
      {
        restart: (store) => sqliteStore({ filename: (store as SqliteStore).db.filename ?? '', driver, pruneIntervalMs: 0 }),
      },
    );
    const sharedFile = path(`conformance-${files++}.db`);
    const onSharedFile = () => sqliteStore({ filename: sharedFile, driver, pruneIntervalMs: 0 });
    describeStoreConformance(`sqliteStore on ${driver} (one file, a connection per store)`, onSharedFile, { restart: onSharedFile, numRuns: 10 });
    describeStoreConformance(`sqliteStore on ${driver} (:memory:)`, () => sqliteStore({ driver, pruneIntervalMs: 0 }));
  });
}
