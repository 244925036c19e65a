// SF-29 across real processes: two OS processes share one SQLite file, each with the
// manager's default settings (the store's bus and the local cache). A revocation in this
// process is enforced by the other's cache, which only the bus can tell.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSessionManager } from 'coatcheck';
import { waitFor } from '@coatcheck/testkit/wait-for';
import { sqliteStore } from '@coatcheck/sqlite';
import { useTempDir } from './fixtures/temp-dir.js';

const path = useTempDir();
const READER = fileURLToPath(new URL('./fixtures/cached-reader.ts', import.meta.url));

interface Answer {
  status: string;
  cached: boolean;
  bus: string | null;
}

/** The other process; `load` sends it a cookie and resolves with its answer. */
async function startReader(filename: string, secret: string): Promise<{ load(cookie: string): Promise<Answer> }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', READER, filename, secret], { stdio: ['pipe', 'pipe', 'inherit'] });
  after(() => void child.stdin.end());
  const pending: ((line: string) => void)[] = [];
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => (line === 'ready' ? ready() : pending.shift()?.(line)));
  await started;
  return {
    load: (cookie) =>
      new Promise((resolve) => {
        pending.push((line) => resolve(JSON.parse(line) as Answer));
        child.stdin.write(`${cookie}\n`);
      }),
  };
}

describe('SF-29 SQLite revocation across processes', () => {
  it("SF-29 a revocation in one process is enforced by the other process's cache", { timeout: 60_000 }, async () => {
    const filename = path('two-processes.db');
    const secret = randomBytes(32).toString('base64url');
    const store = sqliteStore({ filename, pruneIntervalMs: 0 });
    after(() => store.close());
    const manager = createSessionManager({ store, secrets: [secret], production: true });
    after(() => manager.close());
    assert.equal(manager.bus?.name, 'sqlite', 'the store bus by default');
    const reader = await startReader(filename, secret);

    const session = await manager.load({ secure: true });
    await session.login('alice');
    const setCookie = (await session.commit())[0] ?? '';
    const cookie = setCookie.split(';')[0] ?? '';
    assert.ok(cookie.includes('='), 'login sets a cookie');

    // The other process keeps loading the session; the latest answer is what counts.
    let latest: Answer = { status: 'none', cached: false, bus: null };
    let watching = true;
    const watcher = (async () => {
      while (watching) latest = await reader.load(cookie);
    })();
    // Positive control: the other process serves the session from its cache (once the bus
    // messages of the login, which invalidate it, have arrived), so a store read there could
    // not notice the revocation; only the bus can.
    await waitFor('the other process to serve the session from its cache', () => latest.cached && latest.status === 'valid');
    assert.equal(latest.bus, 'sqlite');

    assert.equal((await manager.revokeAllSessions('alice')).length, 1);
    await waitFor('the other process to refuse the revoked session', () => latest.status !== 'valid');
    watching = false;
    await watcher;
    assert.deepStrictEqual(latest, { status: 'expired', cached: false, bus: 'sqlite' });
  });
});
