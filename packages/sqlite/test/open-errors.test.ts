// Installation and deployment mistakes are configuration errors with the fix, not "retry":
// better-sqlite3 without its native build (pnpm and --ignore-scripts skip install scripts),
// a database directory that does not exist, is a file, or is not writable.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SessionConfigError } from 'coatcheck/errors';
import { sqliteStore } from '@coatcheck/sqlite';
import { SKIP_BETTER_SQLITE3, hasNodeSqlite } from './fixtures/drivers.js';
import { useTempDir } from './fixtures/temp-dir.js';

const path = useTempDir();
const root = fileURLToPath(new URL('../../../', import.meta.url));
const childScript = fileURLToPath(new URL('./fixtures/open-store.ts', import.meta.url));
const redirectHook = pathToFileURL(fileURLToPath(new URL('./fixtures/redirect-module.mjs', import.meta.url))).href;

interface ChildOutcome {
  name?: string;
  code?: string;
  message?: string;
}

/** Opens a store on `filename` in a child process and returns the error it got ({} if none). */
function openInChild(filename: string, options: { env?: Record<string, string>; hook?: boolean; uid?: number; driver?: string } = {}): ChildOutcome {
  const args = ['--conditions=source', '--import', 'tsx', ...(options.hook ? ['--import', redirectHook] : []), childScript, filename, options.driver ?? ''];
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  assert.equal(result.status, 0, `child failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ChildOutcome;
}

/** A copy of better-sqlite3 (and its loader) without the build/ folder, as an install that skipped scripts leaves it. */
function unbuiltBetterSqlite3(): string {
  const modules = path('unbuilt/node_modules');
  const require = createRequire(join(root, 'packages/sqlite/package.json'));
  const packageDir = dirname(require.resolve('better-sqlite3/package.json'));
  const copy = join(modules, 'better-sqlite3');
  mkdirSync(copy, { recursive: true });
  cpSync(join(packageDir, 'package.json'), join(copy, 'package.json'));
  cpSync(join(packageDir, 'lib'), join(copy, 'lib'), { recursive: true });
  const fromBetterSqlite3 = createRequire(join(packageDir, 'package.json'));
  for (const dependency of ['bindings', 'file-uri-to-path']) {
    const dependencyDir = dirname(fromBetterSqlite3.resolve(`${dependency}/package.json`));
    cpSync(dependencyDir, join(modules, dependency), { recursive: true });
  }
  return join(copy, 'lib/index.js');
}

describe('sqliteStore install and deployment mistakes', () => {
  it('better-sqlite3 without its native build is a SessionConfigError saying to rebuild it', { skip: SKIP_BETTER_SQLITE3 }, () => {
    const env = { REDIRECT_SPECIFIER: 'better-sqlite3', REDIRECT_TARGET: unbuiltBetterSqlite3() };
    // The same child with the real package opens the store: the fixture itself works.
    assert.deepEqual(openInChild(path('control.db'), { env, driver: 'better-sqlite3' }), {});
    const outcome = openInChild(path('unbuilt.db'), { env, hook: true, driver: 'better-sqlite3' });
    assert.equal(outcome.name, 'SessionConfigError');
    assert.equal(outcome.code, 'ERR_SESSION_INVALID_OPTION');
    assert.match(outcome.message ?? '', /better-sqlite3's native bindings could not be loaded \(Could not locate the bindings file/);
    assert.match(outcome.message ?? '', /`npm rebuild better-sqlite3`/);
    assert.match(outcome.message ?? '', /`pnpm approve-builds`/);
    assert.match(outcome.message ?? '', /pnpm\.onlyBuiltDependencies/);
    assert.doesNotMatch(outcome.message ?? '', /retry|try again/i);
  });

  it('better-sqlite3 asked for but not installed is a SessionConfigError saying to install it', () => {
    const env = { REDIRECT_SPECIFIER: 'better-sqlite3', REDIRECT_TARGET: '' };
    const outcome = openInChild(path('absent.db'), { env, hook: true, driver: 'better-sqlite3' });
    assert.equal(outcome.name, 'SessionConfigError');
    assert.equal(outcome.code, 'ERR_SESSION_INVALID_OPTION');
    assert.match(outcome.message ?? '', /`driver: 'better-sqlite3'` was asked for, and better-sqlite3 is not installed/);
    assert.match(outcome.message ?? '', /`npm install better-sqlite3`/);
  });

  it(`with no driver named and no better-sqlite3 installed, ${hasNodeSqlite ? 'the store opens on node:sqlite' : 'the error says to install better-sqlite3'}`, () => {
    const env = { REDIRECT_SPECIFIER: 'better-sqlite3', REDIRECT_TARGET: '' };
    const outcome = openInChild(path('no-driver.db'), { env, hook: true });
    if (hasNodeSqlite) {
      assert.deepEqual(outcome, {});
      return;
    }
    assert.equal(outcome.name, 'SessionConfigError');
    assert.match(outcome.message ?? '', new RegExp(`Node ${process.version.replaceAll('.', '\\.')} has no \`node:sqlite\``));
    assert.match(outcome.message ?? '', /`npm install better-sqlite3`/);
  });

  it(`driver: 'node:sqlite' ${hasNodeSqlite ? 'opens' : `is a SessionConfigError on Node ${process.version}`}`, () => {
    const outcome = captured(() => sqliteStore({ driver: 'node:sqlite', pruneIntervalMs: 0 }).close());
    if (hasNodeSqlite) {
      assert.deepEqual(outcome, {});
      return;
    }
    assert.equal(outcome.name, 'SessionConfigError');
    assert.match(outcome.message ?? '', /needs Node 22\.13 or later/);
    assert.match(outcome.message ?? '', /`npm install better-sqlite3`/);
  });

  it('a missing data directory is a SessionConfigError naming it and the mkdir that fixes it', () => {
    const directory = path('missing-dir/nested');
    assert.throws(
      () => sqliteStore({ filename: join(directory, 'sessions.db') }),
      (error: unknown) => {
        assert.ok(error instanceof SessionConfigError, String(error));
        assert.match(error.message, new RegExp(`the directory of the database file ".*sessions\\.db" does not exist: ${directory}\\.`));
        assert.ok(error.message.includes(`\`mkdir -p ${directory}\``), error.message);
        return true;
      },
    );
    // Relative paths are named as the process resolves them.
    assert.throws(
      () => sqliteStore({ filename: 'no-such-dir-for-coatcheck/sessions.db' }),
      (error: unknown) => {
        assert.ok(error instanceof SessionConfigError);
        assert.ok(error.message.includes(`mkdir -p ${join(process.cwd(), 'no-such-dir-for-coatcheck')}`), error.message);
        return true;
      },
    );
  });

  it('a file where the directory should be is a SessionConfigError', () => {
    writeFileSync(path('a-file'), '');
    assert.throws(
      () => sqliteStore({ filename: path('a-file/sessions.db') }),
      (error: unknown) => {
        assert.ok(error instanceof SessionConfigError);
        assert.match(error.message, new RegExp(`needs ${path('a-file')} to be a directory, but it is a file`));
        return true;
      },
    );
  });

  it('a directory the process cannot write is a SessionConfigError', () => {
    const directory = path('read-only');
    mkdirSync(directory);
    chmodSync(directory, 0o555);
    const filename = join(directory, 'sessions.db');
    // root writes anywhere, so as root the store is opened by an unprivileged child.
    const isRoot = process.getuid?.() === 0;
    if (isRoot) chmodSync(dirname(directory), 0o755); // the temp dir is private to its owner
    const outcome = isRoot ? openInChild(filename, { uid: 65534 }) : captured(() => sqliteStore({ filename }));
    assert.equal(outcome.name, 'SessionConfigError');
    assert.match(outcome.message ?? '', new RegExp(`is not writable by this process \\(uid \\d+\\): ${directory}\\.`));
    assert.match(outcome.message ?? '', /chown or chmod/);
  });

  it('a directory the process cannot even look into is a SessionConfigError, not "does not exist"', () => {
    const parent = path('private');
    mkdirSync(join(parent, 'data'), { recursive: true });
    const filename = join(parent, 'data/sessions.db');
    const isRoot = process.getuid?.() === 0;
    if (isRoot) chmodSync(dirname(parent), 0o755);
    chmodSync(parent, isRoot ? 0o700 : 0o000);
    try {
      const outcome = isRoot ? openInChild(filename, { uid: 65534 }) : captured(() => sqliteStore({ filename }));
      assert.equal(outcome.name, 'SessionConfigError');
      assert.match(outcome.message ?? '', new RegExp(`is not writable by this process \\(uid \\d+, EACCES\\): ${join(parent, 'data')}\\.`));
      assert.doesNotMatch(outcome.message ?? '', /does not exist/);
    } finally {
      chmodSync(parent, 0o755); // so the temp dir can be removed
    }
  });
});

function captured(open: () => unknown): ChildOutcome {
  try {
    open();
    return {};
  } catch (error) {
    const { name, code, message } = error as ChildOutcome;
    return { name, code, message };
  }
}
