// The SQLite rate-limit backend: the backend contract on a real file, with every limiter
// instance on its own connection to it, and AB-03 across processes: four processes hitting
// one file at once let exactly the burst through.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describeRateLimitConformance } from '@coatcheck/conformance';
import { isSessionError } from 'coatcheck/errors';
import { openSqliteDatabase, sqliteRateLimit, sqliteStore, type SqliteConnection } from '@coatcheck/sqlite';
import { DEFAULT_DRIVER, DRIVERS, openNative } from './fixtures/drivers.js';
import { useTempDir } from './fixtures/temp-dir.js';

const path = useTempDir();
const filename = path('rate-limit.db');
const HITTER = fileURLToPath(new URL('./fixtures/rate-limit-hitter.ts', import.meta.url));

// The store creates the file in WAL mode; each backend then gets a connection of its own,
// as separate processes would have.
const store = sqliteStore({ filename, pruneIntervalMs: 0 });
const inspector = store.db;
const connections = new Map<object, SqliteConnection>();

for (const { driver, skip } of DRIVERS) {
  describe(`sqliteRateLimit on ${driver}`, { skip }, () => {
    // A file per driver: two SQLite libraries in one process do not see each other's locks
    // (POSIX locks are per process), so one process must reach a file through one driver.
    const file = path(`rate-limit-${driver}.db`);
    const own = skip === false ? openSqliteDatabase({ filename: file, driver }) : null;
    describeRateLimitConformance(
      `sqliteRateLimit on ${driver} (one connection per instance, one file)`,
      () => {
        const database = openSqliteDatabase({ filename: file, driver });
        const backend = sqliteRateLimit({ database });
        connections.set(backend, database);
        return backend;
      },
      {
        cleanup: (backend) => void connections.get(backend)?.close(),
        holds: async (key) => own?.prepare('SELECT 1 FROM coatcheck_rate_limits WHERE key = ?').get(key) !== undefined,
      },
    );
  });
}

describeRateLimitConformance("sqliteRateLimit (on the store's connection)", () => sqliteRateLimit({ database: store.db, tableName: 'limits' }), {
  holds: async (key) => inspector.prepare('SELECT 1 FROM limits WHERE key = ?').get(key) !== undefined,
});

function startHitter(name: string, hits: number, clock: number) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', HITTER, filename, name, String(hits), String(clock)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const output: string[] = [];
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve) => lines.on('line', (line) => (line === 'ready' ? resolve() : output.push(line))));
  const report = new Promise<{ errors: string[]; allowed: number[]; stderr: string }>((resolve) => {
    child.on('close', () => {
      const last = output.at(-1);
      resolve({ ...(last ? JSON.parse(last) : { errors: ['no report'], allowed: [] }), stderr });
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), report };
}

describe('sqliteRateLimit across processes', () => {
  it('AB-03 4 processes x 50 parallel hits on one file let exactly the burst (25) through', async () => {
    const name = `procs-${process.pid}-${Date.now()}`;
    // One clock for all: the count of each allowed hit is then exact.
    const clock = Date.now();
    const children = Array.from({ length: 4 }, () => startHitter(name, 50, clock));
    await Promise.all(children.map((c) => c.ready));
    for (const child of children) child.go();
    const reports = await Promise.all(children.map((c) => c.report));
    for (const report of reports) assert.deepEqual(report.errors, [], report.stderr);
    const allowed = reports.flatMap((r) => r.allowed).sort((a, b) => a - b);
    assert.deepEqual(
      allowed,
      Array.from({ length: 25 }, (_, i) => i),
      'each allowed hit saw its own count, 25 in all',
    );
  });
});

describe('sqliteRateLimit options and failures', () => {
  it('refuses bad options with a message that says how to fix them', () => {
    assert.throws(() => sqliteRateLimit({} as never), /`database` must be an open connection: a node:sqlite DatabaseSync, a better-sqlite3 Database/);
    assert.throws(() => sqliteRateLimit({ database: store.db, tableName: 'bad name' }), /`tableName` must be letters/);
  });

  it('a closed connection rejects with SessionStoreError, not a raw driver error', async () => {
    const database = openNative(DEFAULT_DRIVER, filename);
    const backend = sqliteRateLimit({ database });
    database.close();
    await assert.rejects(backend.consume('k', { now: 0, incrementMs: 1, capacityMs: 1 }), (error) => {
      assert.ok(isSessionError(error));
      assert.equal(error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
      return true;
    });
    await store.close();
  });
});
