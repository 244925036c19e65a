/**
 * Users of the shop, in SQLite (on the store's driver). The session store may share the database
 * file; users live in their own `users` table.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { SqliteConnection } from '@coatcheck/sqlite';
import { createPasswordHasher, needsRehash, type PasswordHasher } from './password.js';

/** A user as the API shows it. */
export interface User {
  readonly id: string;
  readonly username: string;
}

/** Options of {@link createUserStore}. */
export interface UserStoreOptions {
  /** Clock for `created_at`, in epoch ms. @default Date.now */
  now?: () => number;
  /** Hashes and checks passwords, under a concurrency bound. @default createPasswordHasher() */
  hasher?: PasswordHasher;
}

/** The users table. */
export interface UserStore {
  /**
   * Creates a user; `null` when the username is taken (case-insensitively). Both answers cost
   * one hash, so the time taken does not tell a taken name from a free one. (AP-03)
   *
   * `client`, here and below, is who asks (the client address's throttle key): hashing is
   * shared fairly between clients (see {@link PasswordHasher}).
   */
  register(username: string, password: string, client: string): Promise<User | null>;
  /**
   * The user with these credentials, or `null`. Takes the same time for unknown usernames.
   * A stored hash with older parameters is replaced by one with the current ones. (AP-01)
   */
  authenticate(username: string, password: string, client: string): Promise<User | null>;
  /** Looks a user up by id. */
  findById(id: string): User | null;
  /** Looks a user up by username (case-insensitively). */
  findByUsername(username: string): User | null;
  /** Whether `password` is this user's password. `false` for an unknown id. */
  checkPassword(id: string, password: string, client: string): Promise<boolean>;
  /** Replaces the user's password; `false` when the user does not exist. */
  changePassword(id: string, password: string, client: string): Promise<boolean>;
  /** Users in registration order (oldest first), at most `limit`. */
  list(limit: number): User[];
}

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
}

/**
 * Creates the `users` table if missing and returns the user store.
 *
 * @example
 * ```ts
 * const users = createUserStore(openSqliteDatabase({ filename: 'data/shop.sqlite' }))
 * const alice = await users.register('alice', 'correct horse battery staple', '192.0.2.1')
 * ```
 */
export function createUserStore(db: SqliteConnection, options: UserStoreOptions = {}): UserStore {
  const { now = Date.now, hasher = createPasswordHasher() } = options;
  // NOCASE: "Alice" and "alice" are one account, so nobody can register a look-alike name.
  db.exec(`
    CREATE TABLE IF NOT EXISTS users (
      id TEXT PRIMARY KEY,
      username TEXT NOT NULL UNIQUE COLLATE NOCASE,
      password_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT
  `);
  const insert = db.prepare('INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (username) DO NOTHING');
  const byUsername = db.prepare<UserRow>('SELECT id, username, password_hash FROM users WHERE username = ?');
  const byId = db.prepare<UserRow>('SELECT id, username, password_hash FROM users WHERE id = ?');
  const setHash = db.prepare('UPDATE users SET password_hash = ? WHERE id = ?');
  // rowid breaks ties between users registered in the same millisecond.
  const oldest = db.prepare<UserRow>('SELECT id, username, password_hash FROM users ORDER BY created_at, rowid LIMIT ?');
  const toUser = (row: UserRow): User => ({ id: row.id, username: row.username });
  // Only while the plaintext is at hand (a successful login) can an old hash be upgraded.
  // The login succeeds whether or not the upgrade does: when the gate is full it is left for
  // the next login. The WHERE on the old hash keeps a password changed meanwhile.
  const replaceHash = db.prepare('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?');
  const rehash = async (row: UserRow, password: string, client: string): Promise<void> => {
    try {
      replaceHash.run(await hasher.hash(password, client), row.id, row.password_hash);
    } catch {
      // Busy: try again at the next login.
    }
  };

  return {
    async register(username, password, client) {
      // No early answer for a taken name: it would come back a hash's time sooner and so
      // tell which names exist. The hash is made either way, and the UNIQUE constraint
      // decides (which also settles two registrations of one name racing). (AP-03)
      const passwordHash = await hasher.hash(password, client);
      const id = randomUUID();
      const result = insert.run(id, username, passwordHash, now());
      return result.changes === 1 ? { id, username } : null;
    },
    async authenticate(username, password, client) {
      const row = byUsername.get(username);
      if (!row) return hasher.verifyDummy(password, client).then(() => null);
      if (!(await hasher.verify(password, row.password_hash, client))) return null;
      if (needsRehash(row.password_hash, hasher.params)) await rehash(row, password, client);
      return toUser(row);
    },
    findById(id) {
      const row = byId.get(id);
      return row ? toUser(row) : null;
    },
    findByUsername(username) {
      const row = byUsername.get(username);
      return row ? toUser(row) : null;
    },
    async checkPassword(id, password, client) {
      const row = byId.get(id);
      if (!row) return hasher.verifyDummy(password, client);
      return hasher.verify(password, row.password_hash, client);
    },
    async changePassword(id, password, client) {
      const passwordHash = await hasher.hash(password, client);
      return setHash.run(passwordHash, id).changes === 1;
    },
    list(limit) {
      return oldest.all(limit).map(toUser);
    },
  };
}
