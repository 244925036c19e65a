/**
 * The data directory and its files are the owner's only: the directory 0700, every file the
 * shop keeps there 0600, whatever modes they had before. (AP-05)
 *
 * The directory holds the session signing secret, the token signing keys and the database
 * (password hashes, session records). `mkdir`'s mode applies only when it creates the
 * directory and is narrowed by the umask; a directory made by hand, unpacked from a backup or
 * created by an older version keeps 0755 and world-readable files. So the modes are set on
 * every start, not only at creation. SQLite creates `-wal` and `-shm` with the mode of the
 * database file, so the database file is created 0600 before SQLite opens it, and existing
 * companions are fixed as well.
 *
 * @module
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteDatabase, type SqliteConnection, type SqliteDriverName } from '@coatcheck/sqlite';

/** Mode of the data directory. */
const DIR_MODE = 0o700;
/** Mode of every file in it. */
const FILE_MODE = 0o600;
/** The files SQLite keeps next to a database. */
const SQLITE_COMPANIONS = ['-wal', '-shm', '-journal'];

/** Creates the directory if missing and makes it 0700 (only it: its parents may be shared). */
export function prepareDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmodSync(dir, DIR_MODE);
}

/** Makes an existing file 0600; a missing one is fine (it is created 0600 when it is). */
export function restrictFile(path: string): void {
  if (existsSync(path)) chmodSync(path, FILE_MODE);
}

/**
 * Opens the shop's SQLite database in `dir` with the file and its companions 0600: WAL (readers
 * never wait for the writer, and a second process can share the file), `synchronous=NORMAL`,
 * a 5 s busy timeout, on `driver` (by default node:sqlite where Node has it, else
 * better-sqlite3). The session store and the shop's own tables share this one connection, so
 * the process reaches the file through one driver.
 */
export function openDatabase(dir: string, file: string, driver?: SqliteDriverName): SqliteConnection {
  const path = join(dir, file);
  // Created by us, 0600, before SQLite sees it: its -wal and -shm then inherit the mode.
  closeSync(openSync(path, 'a', FILE_MODE));
  restrictFile(path);
  const db = openSqliteDatabase({ filename: path, busyTimeoutMs: 5000, ...(driver ? { driver } : {}) });
  for (const suffix of SQLITE_COMPANIONS) restrictFile(`${path}${suffix}`);
  return db;
}
