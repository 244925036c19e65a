// The SQLite driver a user's install gets. @coatcheck/sqlite runs on node:sqlite where Node has
// it (22.13+, 24+) and names better-sqlite3 only as an optional peer, so:
// - on such a Node, the install must bring no better-sqlite3 and compile nothing, and the
//   store must work there, on node:sqlite, without printing Node's ExperimentalWarning;
// - on Node 20, the user installs better-sqlite3 beside it (the README says so), as we do.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './exec.mjs';

/** Whether this Node has node:sqlite without a flag (what the store itself checks). */
export function hasNodeSqlite() {
  return process.getBuiltinModule?.('node:sqlite') !== undefined;
}

/** The registry spec a Node 20 user adds to the install: better-sqlite3 in the peer range. */
export function betterSqlite3Spec(root) {
  const manifest = JSON.parse(readFileSync(join(root, 'packages/sqlite/package.json'), 'utf8'));
  return `better-sqlite3@${manifest.peerDependencies['better-sqlite3']}`;
}

/** Compiled native addons (`build/Release/*.node`) under `dir`, as paths. */
function compiledAddons(dir, found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !entry.isSymbolicLink()) compiledAddons(path, found);
    else if (entry.name.endsWith('.node') && path.includes('/build/')) found.push(path);
  }
  return found;
}

const PROBE = `
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStore } from '@coatcheck/sqlite';
const store = sqliteStore({ filename: join(mkdtempSync(join(tmpdir(), 'consumer-sqlite-')), 'sessions.db'), pruneIntervalMs: 0 });
const now = Date.now();
const record = { id: 'consumer-probe-id-000000', secretHash: 'h', userId: 'u', data: { n: 1 }, version: 1, createdAt: now,
  lastSeenAt: now, expiresAt: now + 60000, absoluteExpiresAt: now + 120000, persistent: false, authenticatedAt: null,
  device: { userAgent: null, ip: null } };
if (!(await store.create(record))) throw new Error('create returned false');
const read = await store.get(record.id, now);
if (read?.data.n !== 1) throw new Error('get did not return the record: ' + JSON.stringify(read));
console.log(store.db.driver);
await store.close();
`;

/**
 * On a Node with node:sqlite: problems with the scratch install (better-sqlite3 present, an
 * addon compiled) or with the store on it. Empty on Node 20, where better-sqlite3 is expected.
 */
export function checkSqliteDriver(scratch) {
  if (!hasNodeSqlite()) return [];
  const problems = [];
  if (existsSync(join(scratch, 'node_modules/better-sqlite3'))) {
    problems.push(`sqlite driver: on Node ${process.version} the install brought better-sqlite3, an optional peer nothing should pull in`);
  }
  const addons = compiledAddons(join(scratch, 'node_modules'));
  if (addons.length > 0) problems.push(`sqlite driver: the install compiled native addons on Node ${process.version}:\n  ${addons.join('\n  ')}`);
  try {
    const { stdout, stderr } = runCommand(process.execPath, ['--input-type=module', '-e', PROBE], {
      cwd: scratch,
      what: 'a sqliteStore in the scratch project',
    });
    if (stdout.trim() !== 'node:sqlite') problems.push(`sqlite driver: the store ran on ${stdout.trim() || 'nothing'}, not node:sqlite`);
    if (stderr.includes('ExperimentalWarning')) problems.push(`sqlite driver: the store printed Node's ExperimentalWarning:\n${stderr.trim()}`);
  } catch (error) {
    problems.push(`sqlite driver: ${error.message}`);
  }
  return problems;
}
