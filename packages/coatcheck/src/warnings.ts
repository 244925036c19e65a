/**
 * Every process warning coatcheck emits, in one registry. Exported from
 * `coatcheck/warnings`.
 *
 * Warnings go through `process.emitWarning(message, { code })`, so an application sees them
 * on stderr by default and can route them with `process.on('warning', …)` by `code`. Each
 * code names one condition for good: codes are never reused or renumbered, and a reserved
 * code is claimed for a condition not emitted yet. `docs/errors.md` lists every code with the
 * same meaning and fix, and a test keeps the two in step.
 *
 * @example
 * ```ts
 * import { WARNINGS } from 'coatcheck/warnings'
 * process.on('warning', (warning) => {
 *   if ((warning as { code?: string }).code === WARNINGS.REDIS_EVICTION_POLICY.code) alertOps(warning.message)
 * })
 * ```
 *
 * @module
 */

/** What a warning means and what to do about it. */
export interface WarningInfo {
  /** The `code` of the emitted warning, `COATCHECK_W` and three digits. */
  readonly code: `COATCHECK_W${number}`;
  /** One line: what happened. */
  readonly meaning: string;
  /** One line: what to change. */
  readonly fix: string;
}

/** The registry, by name; see the module comment. */
export const WARNINGS = Object.freeze({
  MEMORY_STORE_IN_PRODUCTION: {
    code: 'COATCHECK_W001',
    meaning: 'memoryStore() runs with NODE_ENV=production: sessions live in one process and vanish on restart.',
    fix: 'Use the SQLite, Redis or Postgres store (or pass quiet: true where one process is the plan).',
  },
  SQLITE_CORRUPT_ROW: {
    code: 'COATCHECK_W002',
    meaning: 'sqliteStore() found an unreadable row, deleted it and named its session id, not its contents.',
    fix: 'Find what writes to the sessions table besides the store; pass onCorrupt to report it your way.',
  },
  SQLITE_PRUNE_FAILED: {
    code: 'COATCHECK_W003',
    meaning: 'The SQLite prune timer could not delete expired rows (the database was locked, for example).',
    fix: 'Nothing if it is rare: it is retried on the next interval. If it repeats, check the database file.',
  },
  POSTGRES_CORRUPT_ROW: {
    code: 'COATCHECK_W004',
    meaning: 'postgresStore() found an unreadable row, deleted it and named its session id, not its contents.',
    fix: 'Find what writes to the sessions table besides the store; pass onCorrupt to report it your way.',
  },
  POSTGRES_PRUNE_FAILED: {
    code: 'COATCHECK_W005',
    meaning: 'Claiming or running the cluster-wide Postgres prune failed (Postgres unreachable, for example).',
    fix: 'Nothing if it is rare: it is retried on the next interval. If it repeats, check the connection.',
  },
  REDIS_CORRUPT_VALUE: {
    code: 'COATCHECK_W006',
    meaning: 'redisStore() found a corrupt or foreign value under its prefix, deleted it and named the key, not the value.',
    fix: 'Give the store a prefix of its own that nothing else writes under; pass onCorrupt to report it your way.',
  },
  REDIS_EVICTION_POLICY: {
    code: 'COATCHECK_W007',
    meaning: "Redis' maxmemory-policy is not noeviction, so Redis may evict live sessions and user indexes.",
    fix: 'Set maxmemory-policy noeviction on the server (every master of a Cluster).',
  },
  REDIS_CONFIG_UNCHECKED: {
    code: 'COATCHECK_W008',
    meaning: 'maxmemory-policy could not be read (CONFIG not permitted or renamed, as on managed Redis).',
    fix: "Verify that it is noeviction in your provider's settings, then pass checkConfig: false.",
  },
  REDIS_CONNECTION_ERROR: {
    code: 'COATCHECK_W009',
    meaning: 'A Redis client error (at most one report per 10 s, with a count) or an exception of a redisBus() listener.',
    fix: "Add your own 'error' listener to the client to log errors your way; fix the listener that threw.",
  },
  POSTGRES_BUS_LISTENER: {
    code: 'COATCHECK_W010',
    meaning: 'A function passed to postgresBus() subscribe or onStateChange threw; the others still ran.',
    fix: 'Fix the listener: catch its own errors.',
  },
  TOKENS_UNSCOPED: {
    code: 'COATCHECK_W011',
    meaning: 'Public token keys are served while access tokens carry no iss or no aud: tokens for one API pass at another.',
    fix: 'Set issuer and audience on createTokenService and require both in every verifier (RFC 9068).',
  },
  INSECURE_COOKIE_BEHIND_PROXY: {
    code: 'COATCHECK_W012',
    meaning:
      'A plain-HTTP request carried X-Forwarded-Proto: https or Forwarded: proto=https from a hop that is not trusted: the app runs behind HTTPS but counts the request as plain HTTP, so its cookie is not Secure and its origin is http://.',
    fix: "Set the adapter's trustProxy (a hop count or the proxy addresses), or pin cookie: { secure: true }.",
  },
  RATE_LIMIT_PRUNE_FAILED: {
    code: 'COATCHECK_W013',
    meaning: 'The prune timer of createRateLimiter() could not delete passed keys from its backend (the database was unreachable, for example).',
    fix: 'Nothing if it is rare: it is retried on the next interval. If it repeats, check the backend the limiter was given.',
  },
  SQLITE_BUS: {
    code: 'COATCHECK_W014',
    meaning:
      'sqliteBus() could not read its table (the bus is down and the local cache off until it can; at most one report per 10 s), could not prune it, or one of its listeners threw.',
    fix: 'Check the database file (permissions, disk, a closed connection); fix the listener that threw.',
  },
  ENCRYPTED_DATA_UNREADABLE: {
    code: 'COATCHECK_W015',
    meaning:
      "A record's encrypted data could not be opened: it was sealed with a key that is not in encryption.keys, or it was altered. The session counts as missing; the record is kept.",
    fix: 'Put the retired key back at the end of encryption.keys and keep it until coatcheck reencrypt has run; if no key is missing, find what else writes to the store.',
  },
  SESSION_DATA_DROPPED: {
    code: 'COATCHECK_W016',
    meaning:
      "Session data read from the store did not fit the manager's data option: validateOnLoad refused a key (dropped) or the whole data (read as {}), or a migration threw (read as {}). Requests see the data without it; the store keeps it until the application writes to the session (coatcheck's own writes keep it).",
    fix: 'Add a migration (data.version, data.migrate) for the old shape, or fix the migration that threw; the message names the key or the version.',
  },
  SESSION_DATA_NEWER: {
    code: 'COATCHECK_W017',
    meaning:
      "A record's data has a higher version than data.version (written by newer code: a rollback?). It is read as it is, neither migrated nor validated on load, and keeps its version when written.",
    fix: 'Nothing during a rollback. Otherwise deploy the newest data.version (with its migrations) everywhere.',
  },
} as const satisfies Record<string, WarningInfo>);

/** The name of a registered warning (`WARNINGS.<name>`). */
export type WarningName = keyof typeof WARNINGS;

/** Every registered warning code. */
export type WarningCode = (typeof WARNINGS)[WarningName]['code'];
