/**
 * Choosing and loading the SQLite driver. `node:sqlite` wins where the running Node has it
 * without a flag (22.13+, 24+): nothing to compile or download. Elsewhere (Node 20), or when
 * asked for by name, better-sqlite3 is loaded, an optional peer dependency the app installs.
 * A driver that cannot be loaded is a `SessionConfigError` saying what to install. Internal.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { SessionConfigError } from 'coatcheck/errors';
import type { BetterSqlite3Constructor } from './better-sqlite3.js';
import type { NodeSqliteModule } from './node-sqlite.js';
import type { SqliteDriverName } from './types.js';

/** The driver names `driver` accepts. */
export const DRIVER_NAMES: readonly SqliteDriverName[] = Object.freeze(['node:sqlite', 'better-sqlite3']);

const INSTALL = '`npm install better-sqlite3` (pnpm: `pnpm add better-sqlite3`, then allow its build with `pnpm approve-builds`)';

// Node 22.13 to 23.x announce node:sqlite with an ExperimentalWarning on first load. The app
// did not choose the module, this package did, so that one warning is dropped; any other
// warning emitted meanwhile passes through untouched.
function withoutSqliteWarning<T>(load: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const options = rest[0];
    const type = typeof options === 'string' ? options : (options as { type?: unknown } | undefined)?.type;
    const message = typeof warning === 'string' ? warning : warning?.message;
    if (type === 'ExperimentalWarning' && typeof message === 'string' && message.startsWith('SQLite is an experimental feature')) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = emitWarning;
  }
}

let nodeSqlite: NodeSqliteModule | null | undefined;

/** `node:sqlite` if this Node has it without a flag, else `null`. Loaded once. */
export function loadNodeSqlite(): NodeSqliteModule | null {
  if (nodeSqlite !== undefined) return nodeSqlite;
  // getBuiltinModule (Node 20.16+) is synchronous, so the store can stay a synchronous factory,
  // and gives `undefined` where the module is missing or behind --experimental-sqlite.
  const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  let loaded: unknown;
  try {
    loaded = typeof getBuiltinModule === 'function' ? withoutSqliteWarning(() => getBuiltinModule.call(process, 'node:sqlite')) : undefined;
  } catch {
    loaded = undefined;
  }
  nodeSqlite = typeof (loaded as Partial<NodeSqliteModule> | undefined)?.DatabaseSync === 'function' ? (loaded as NodeSqliteModule) : null;
  return nodeSqlite;
}

/** better-sqlite3's constructor, or a `SessionConfigError` saying how to install it. */
export function loadBetterSqlite3(why: string): BetterSqlite3Constructor {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as BetterSqlite3Constructor;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new SessionConfigError(`sqliteStore: ${why}, and better-sqlite3 is not installed. Install it in the app: ${INSTALL}.`);
  }
}

/** The driver to use: the one asked for, else `node:sqlite` where it exists, else better-sqlite3. */
export function chooseDriver(requested: SqliteDriverName | undefined): SqliteDriverName {
  if (requested === 'better-sqlite3') return requested;
  if (loadNodeSqlite() !== null) return 'node:sqlite';
  if (requested === 'node:sqlite') {
    throw new SessionConfigError(
      `sqliteStore: \`driver: 'node:sqlite'\` needs Node 22.13 or later (24+ recommended); this is Node ${process.version}${process.versions.node.startsWith('22.') ? ', where it needs the --experimental-sqlite flag' : ''}. Upgrade Node, or use better-sqlite3: ${INSTALL}, and leave \`driver\` unset.`,
    );
  }
  return 'better-sqlite3';
}

/** Why better-sqlite3 is needed, for the install message. */
export function whyBetterSqlite3(requested: SqliteDriverName | undefined): string {
  return requested === 'better-sqlite3'
    ? "`driver: 'better-sqlite3'` was asked for"
    : `Node ${process.version} has no \`node:sqlite\` (it comes with Node 22.13 and 24), so the store needs better-sqlite3`;
}
