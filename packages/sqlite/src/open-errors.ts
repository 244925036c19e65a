/**
 * Installation and configuration mistakes found when the store opens its file, each turned
 * into a `SessionConfigError` that says how to fix it. Internal.
 *
 * Why: these used to surface as `ERR_SESSION_STORE_UNAVAILABLE` ("retry"), but no retry
 * helps when better-sqlite3's native part was never built (pnpm and `--ignore-scripts` skip
 * install scripts), was built for another Node version, or the database's directory does not
 * exist or is not writable. They are fixed once, by whoever deploys the app.
 *
 * @module
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SessionConfigError } from 'coatcheck/errors';

// `bindings` (better-sqlite3's loader) when no build exists; Node when the build is for
// another Node version or platform (ERR_DLOPEN_FAILED, NODE_MODULE_VERSION).
const MISSING_BINDINGS = /Could not locate the bindings file|better_sqlite3\.node|NODE_MODULE_VERSION/;

const REBUILD =
  'Rebuild it for this Node version and platform: `npm rebuild better-sqlite3`. ' +
  'With pnpm, which skips install scripts by default, allow its build first: `pnpm approve-builds` ' +
  '(or list it in `pnpm.onlyBuiltDependencies` in package.json), then `pnpm rebuild better-sqlite3`. ' +
  'Installing with `--ignore-scripts` has the same effect. Where no prebuilt binary matches, the build needs python3, make and a C++ compiler.';

/**
 * A `SessionConfigError` when `error` says better-sqlite3's native bindings cannot be
 * loaded; `null` for any other error.
 */
export function bindingsError(error: unknown): SessionConfigError | null {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (!MISSING_BINDINGS.test(message) && code !== 'ERR_DLOPEN_FAILED') return null;
  const first = message.split('\n')[0];
  return new SessionConfigError(
    `sqliteStore: better-sqlite3's native bindings could not be loaded (${first}), so the install did not build them or built them for another Node version. ${REBUILD}`,
  );
}

/** Whether `filename` names a file on disk (not `:memory:` or an anonymous temp database). */
function isFileDatabase(filename: string): boolean {
  return filename !== ':memory:' && filename !== '';
}

/**
 * Throws `SessionConfigError` unless the directory of the database file exists, is a
 * directory, and is writable: SQLite creates the file but not its directory, and in WAL mode
 * it creates `-wal` and `-shm` files next to it.
 */
export function assertDatabaseDirectory(filename: string): void {
  if (!isFileDatabase(filename)) return;
  const directory = dirname(resolve(filename));
  let isDirectory: boolean;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw unwritable(filename, directory, `, ${String(code)}`);
    throw new SessionConfigError(
      `sqliteStore: the directory of the database file "${filename}" does not exist: ${directory}. SQLite creates the file, not its directory: create it (\`mkdir -p ${directory}\`) where the app is deployed, or point \`filename\` at an existing directory.`,
    );
  }
  if (!isDirectory) {
    throw new SessionConfigError(
      `sqliteStore: the database file "${filename}" needs ${directory} to be a directory, but it is a file. Point \`filename\` somewhere else, or move that file away and \`mkdir -p ${directory}\`.`,
    );
  }
  try {
    accessSync(directory, constants.W_OK);
  } catch {
    throw unwritable(filename, directory, '');
  }
}

function unwritable(filename: string, directory: string, detail: string): SessionConfigError {
  const uid = typeof process.getuid === 'function' ? `uid ${process.getuid()}` : '';
  return new SessionConfigError(
    `sqliteStore: the directory of the database file "${filename}" is not writable by this process (${uid}${detail}): ${directory}. SQLite writes the database and its -wal and -shm files there: give the app's user write access (chown or chmod), or point \`filename\` at a writable directory.`,
  );
}
