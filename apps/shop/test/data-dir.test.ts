// AP-05: the data directory ends up 0700 and the shop's files in it 0600, whatever modes they
// had before: a directory made by hand (0755) with a world-readable secret, key file,
// database and WAL companions, opened by the functions main.ts uses and by main.ts itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openSqliteDatabase } from '@coatcheck/sqlite';
import { generateKeyFile } from '@coatcheck/tokens';
import { openDatabase, prepareDataDir } from '../src/hardening/data-dir.js';
import { resolveSecrets } from '../src/secret.js';
import { resolveTokenKeys } from '../src/token-keys.js';
import { useTempDir } from './helpers.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const path = useTempDir();
const modeOf = (file: string) => statSync(file).mode & 0o777;

/** A data directory as a careless admin leaves it: 0755, files 0644, a database with its WAL. */
async function looseDataDir(name: string): Promise<string> {
  const dir = path(name);
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'session-secret'), `${randomBytes(32).toString('base64url')}\n`, { mode: 0o644 });
  writeFileSync(join(dir, 'token-keys.json'), JSON.stringify(await generateKeyFile('EdDSA', Date.now())), { mode: 0o644 });
  // A database left in WAL mode with its -wal and -shm still there (a crashed process).
  const db = openSqliteDatabase({ filename: join(dir, 'shop.sqlite') });
  db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
  for (const file of readdirSync(dir)) chmodSync(join(dir, file), 0o644);
  assert.ok(readdirSync(dir).includes('shop.sqlite-wal'));
  assert.ok(readdirSync(dir).includes('shop.sqlite-shm'));
  // Left open on purpose: the -wal and -shm stay (closing would fold them into the file).
  return dir;
}

function assertPrivate(dir: string): void {
  assert.equal(modeOf(dir), 0o700, 'the directory');
  const files = readdirSync(dir);
  for (const expected of ['shop.sqlite', 'shop.sqlite-wal', 'shop.sqlite-shm', 'session-secret', 'token-keys.json'])
    assert.ok(files.includes(expected), expected);
  for (const file of files) assert.equal(modeOf(join(dir, file)), 0o600, file);
}

describe('the data directory', () => {
  it('AP-05 an existing 0755 directory with 0644 files is made 0700 and 0600 by the start-up steps', async () => {
    const dir = await looseDataDir('loose');
    prepareDataDir(dir);
    resolveSecrets(null, dir);
    await resolveTokenKeys(null, dir);
    const db = openDatabase(dir, 'shop.sqlite');
    db.prepare('SELECT x FROM t').all();
    assertPrivate(dir);
    db.close();
  });

  it('AP-05 a fresh directory and the files created in it are private, even under umask 000', async () => {
    const dir = join(path('fresh'), 'nested', 'data');
    const umask = process.umask(0);
    try {
      prepareDataDir(dir);
      resolveSecrets(null, dir);
      await resolveTokenKeys(null, dir);
      const db = openDatabase(dir, 'shop.sqlite');
      db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      assertPrivate(dir);
      db.close();
    } finally {
      process.umask(umask);
    }
  });

  it('AP-05 main.ts makes a pre-existing 0755 data directory private before it listens', { timeout: 120_000 }, async () => {
    const dir = await looseDataDir('main');
    const { SESSION_SECRET: _secret, TOKEN_KEYS: _keys, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN], {
      cwd: REPO_ROOT,
      env: { ...inherited, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`main.ts did not listen:\n${lines.join('\n')}`)), 60_000);
      void exited.then((code) => reject(new Error(`main.ts exited with ${code}:\n${lines.join('\n')}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        if (line.includes('shop listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    try {
      assertPrivate(dir);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
