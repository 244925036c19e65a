// LC-21, AB-08 on SQLite: the cap holds under 20 parallel logins to one account spread over
// two managers on one file, each with its own store and that store's bus (the default, with
// the local cache); and under logins racing from two OS processes on the file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSessionManager, type SessionLimitOptions, type SessionManager } from 'coatcheck';
import { checkCapEvicts, checkCapRejects } from '@coatcheck/testkit/session-cap';
import { sqliteStore, type SqliteDriverName } from '@coatcheck/sqlite';
import { DRIVERS } from './fixtures/drivers.js';
import { useTempDir } from './fixtures/temp-dir.js';

const path = useTempDir();
const LOGINS = fileURLToPath(new URL('./fixtures/capped-logins.ts', import.meta.url));
const secret = randomBytes(32).toString('base64url');
const MAX = 3;
let files = 0;

/** Two managers on one new file; closed when the test ends. */
function instances(driver: SqliteDriverName, policy: SessionLimitOptions['policy'], cleanup: (fn: () => Promise<void>) => void): SessionManager[] {
  const filename = path(`cap-${files++}.db`);
  return [0, 1].map(() => {
    const store = sqliteStore({ filename, driver, pruneIntervalMs: 0 });
    const manager = createSessionManager({ store, secrets: [secret], production: true, maxSessionsPerUser: { max: MAX, policy } });
    assert.equal(manager.bus?.name, 'sqlite', "the store's own bus, with the cache");
    cleanup(async () => {
      await manager.close();
      await store.close();
    });
    return manager;
  });
}

for (const { driver, skip } of DRIVERS) {
  describe(`LC-21 AB-08 the session cap across two managers on one SQLite file (${driver})`, { skip }, () => {
    it('LC-21 AB-08 evictOldest: 20 parallel logins over two managers leave 3 sessions; the evicted stop loading on both', { timeout: 60_000 }, async (t) => {
      await checkCapEvicts({ managers: instances(driver, 'evictOldest', (fn) => t.after(fn)), max: MAX });
    });

    it('LC-21 AB-08 reject: of 20 parallel logins over two managers, 3 succeed and 17 are refused with nothing changed', { timeout: 60_000 }, async (t) => {
      await checkCapRejects({ managers: instances(driver, 'reject', (fn) => t.after(fn)), max: MAX });
    });
  });
}

interface Report {
  created: string[];
  evicted: string[];
  errors: string[];
}

/** A process doing `logins` capped logins of `userId` at once when told to go. */
function startLogins(args: string[]): { ready: Promise<void>; go(): void; stop(): void; report: Promise<Report> } {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', LOGINS, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const output: string[] = [];
  const lines = createInterface({ input: child.stdout });
  const started = new Promise<void>((resolve) => lines.on('line', (line) => (line === 'ready' ? resolve() : output.push(line))));
  const report = new Promise<Report>((resolve, reject) => {
    child.on('close', (code) => {
      const last = output.at(-1);
      if (code !== 0 || last === undefined) reject(new Error(`the login process exited with ${code}: ${stderr}`));
      else resolve(JSON.parse(last) as Report);
    });
  });
  // A process that dies before it is ready fails the test instead of leaving it waiting.
  const ready = Promise.race([started, report.then(() => Promise.reject(new Error('the login process ended before it was ready')))]);
  return {
    ready,
    report,
    go: () => child.stdin.end('go\n'),
    stop: () => void (child.exitCode === null && child.signalCode === null && child.kill()),
  };
}

describe('AB-08 the session cap across two processes on one SQLite file', () => {
  // Where both drivers exist, one process runs each: the write lock is the file's, not a driver's.
  const running = DRIVERS.filter((d) => d.skip === false).map((d) => d.driver);
  it(`AB-08 two processes (${running.join(', ')}) each doing 10 capped logins at once leave exactly 3 live sessions`, { timeout: 60_000 }, async () => {
    const filename = path('two-processes.db');
    const store = sqliteStore({ filename, pruneIntervalMs: 0 });
    const userId = `user-${randomBytes(6).toString('hex')}`;
    const children = [0, 1].map((i) => startLogins([filename, secret, userId, '10', running[i % running.length] ?? '']));
    try {
      await Promise.all(children.map((child) => child.ready));
      for (const child of children) child.go();
      const reports = await Promise.all(children.map((child) => child.report));
      for (const report of reports) assert.deepStrictEqual(report.errors, []);

      const live = (await store.listByUser(userId, Date.now())).map((record) => record.id);
      assert.equal(live.length, MAX, `live sessions: ${live.length}`);
      const created = reports.flatMap((report) => report.created);
      assert.equal(created.length, 20);
      // Every session a login created is live or was evicted, by one process, exactly once.
      const evicted = reports.flatMap((report) => report.evicted);
      assert.deepStrictEqual([...live, ...evicted].sort(), [...created].sort());
    } finally {
      for (const child of children) child.stop();
      await Promise.allSettled(children.map((child) => child.report));
      await store.close();
    }
  });
});
