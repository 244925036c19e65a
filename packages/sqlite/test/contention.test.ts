// SF-18: SQLite under contention. Several processes write one WAL file at once without
// SQLITE_BUSY surfacing; a lock held past busy_timeout gives a store error, not a crash, and
// the file stays intact.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildRecord, nextVersion } from '@coatcheck/conformance';
import { isSessionError } from 'coatcheck/errors';
import { sqliteStore } from '@coatcheck/sqlite';
import { DRIVERS, openNative, scalar } from './fixtures/drivers.js';
import { useTempDir } from './fixtures/temp-dir.js';

const path = useTempDir();
const WRITER = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));

interface Child {
  ready: Promise<void>;
  go(): void;
  report: Promise<{ errors: string[]; code: number | null; stderr: string }>;
}

function startWriter(args: string[]): Child {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', WRITER, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const output: string[] = [];
  const ready = new Promise<void>((resolve) => lines.on('line', (line) => (line === 'ready' ? resolve() : output.push(line))));
  const report = new Promise<{ errors: string[]; code: number | null; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      const last = output.at(-1);
      resolve({ errors: last ? (JSON.parse(last) as { errors: string[] }).errors : ['no report'], code, stderr });
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), report };
}

const isStoreError = (error: unknown): boolean => isSessionError(error) && error.code === 'ERR_SESSION_STORE_UNAVAILABLE';

describe('SF-18 SQLite under contention', () => {
  // Where both drivers exist the processes take turns between them: one file, shared by
  // node:sqlite and better-sqlite3 connections at once, as during a rolling upgrade.
  const running = DRIVERS.filter((d) => d.skip === false).map((d) => d.driver);
  it(`SF-18 50 concurrent writers in 5 processes (${running.join(' and ')}): no SQLITE_BUSY, no lost update`, async () => {
    const filename = path('contention.db');
    const store = sqliteStore({ filename, pruneIntervalMs: 0 });
    const now = Date.now();
    const counter = buildRecord({ now, data: { counter: 0 } });
    await store.create(counter);
    const processes = 5;
    const writersEach = 10;
    const perWriter = 20;
    const children = Array.from({ length: processes }, (_, i) =>
      startWriter([filename, counter.id, String(writersEach), String(perWriter), '5000', running[i % running.length] ?? '']),
    );
    await Promise.all(children.map((c) => c.ready));
    for (const child of children) child.go();
    const reports = await Promise.all(children.map((c) => c.report));
    for (const report of reports) {
      assert.deepStrictEqual(report.errors, [], report.stderr);
      assert.equal(report.code, 0, report.stderr);
    }
    const final = await store.get(counter.id, now);
    assert.equal(final?.data.counter, processes * writersEach, 'every increment survived');
    assert.equal(final?.version, processes * writersEach + 1);
    assert.equal((await store.listByUser('contention', now)).length, processes * writersEach * perWriter);
    assert.equal(scalar(store.db, 'PRAGMA integrity_check'), 'ok');
    await store.close();
  });

  for (const { driver, skip } of DRIVERS)
    it(`SF-18 on ${driver}, a lock held past busyTimeoutMs gives a store error, not a crash`, { skip }, async () => {
      const filename = path(`locked-${driver}.db`);
      const store = sqliteStore({ filename, driver, busyTimeoutMs: 50, pruneIntervalMs: 0 });
      const now = Date.now();
      const record = buildRecord({ now, userId: 'locked' });
      await store.create(record);

      // The same driver: two SQLite libraries in one process do not see each other's locks.
      const other = openNative(driver, filename);
      other.exec('BEGIN EXCLUSIVE');
      try {
        const writes = [
          store.create(buildRecord({ now })),
          store.createCapped(buildRecord({ now, userId: 'locked' }), { max: 1, evict: 'oldest', replaces: null }, now),
          store.update(nextVersion(record), 1, now),
          store.touch(record.id, now + 1, record.expiresAt + 1, now),
          store.delete(record.id),
          store.deleteByUser('locked'),
          store.prune(now),
        ];
        for (const write of writes) {
          await assert.rejects(write, (error: unknown) => {
            assert.ok(isStoreError(error), `expected ERR_SESSION_STORE_UNAVAILABLE, got ${String(error)}`);
            assert.match((error as Error).message, /SQLITE_BUSY/);
            assert.equal(((error as Error).cause as { code?: string }).code, 'SQLITE_BUSY');
            return true;
          });
        }
        // WAL readers are not blocked by a writer's lock: sessions still load.
        assert.deepStrictEqual(await store.get(record.id, now), record);
      } finally {
        other.exec('COMMIT');
        other.close();
      }

      // The lock is gone: the same writes succeed, and nothing was half-written.
      assert.equal(await store.update(nextVersion(record), 1, now), 'ok');
      assert.equal(await store.create(buildRecord({ now })), true);
      assert.equal(scalar(store.db, 'PRAGMA integrity_check'), 'ok');
      await store.close();
    });
});
