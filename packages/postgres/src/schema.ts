/**
 * The tables, their indexes and every statement the store runs. All values are bound
 * parameters (`$1`, `$2`, ...); the only spliced text is identifiers, validated as plain
 * names and quoted. Internal.
 *
 * @module
 */
import type { TableNames } from './identifiers.js';
import { COLUMNS, SELECT_LIST } from './row.js';

/** Rows deleted per prune statement, so a large backlog never holds many locks at once. */
export const PRUNE_BATCH = 1000;

/**
 * The DDL, idempotent. `COLLATE "C"` on the ids: byte comparison is cheaper than a locale's
 * rules in every index lookup, and it orders ids exactly as JavaScript compares strings.
 * Times are epoch milliseconds (the manager's clock), not `timestamptz`, so they round-trip
 * exactly and compare with the `now` each call passes.
 */
export function createSchemaSql(names: TableNames): string {
  const { table, meta, userIndex, expiresIndex, history } = names;
  return `
    CREATE TABLE IF NOT EXISTS ${table} (
      id text COLLATE "C" PRIMARY KEY,
      secret_hash text NOT NULL,
      user_id text COLLATE "C",
      data jsonb NOT NULL,
      version integer NOT NULL,
      created_at bigint NOT NULL,
      last_seen_at bigint NOT NULL,
      expires_at bigint NOT NULL,
      absolute_expires_at bigint NOT NULL,
      persistent boolean NOT NULL,
      authenticated_at bigint,
      user_agent text,
      ip text
    );
    CREATE INDEX IF NOT EXISTS ${userIndex} ON ${table} (user_id, created_at) WHERE user_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS ${expiresIndex} ON ${table} (expires_at);
    CREATE TABLE IF NOT EXISTS ${meta} (
      job text PRIMARY KEY,
      last_run_at bigint NOT NULL,
      runs bigint NOT NULL
    );
    INSERT INTO ${meta} (job, last_run_at, runs) VALUES ('prune', 0, 0) ON CONFLICT (job) DO NOTHING;
    CREATE TABLE IF NOT EXISTS ${history} (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at bigint NOT NULL,
      type text NOT NULL,
      session_id text COLLATE "C" NOT NULL,
      previous_id text COLLATE "C",
      user_id text COLLATE "C" NOT NULL,
      actor text NOT NULL,
      reason text,
      ip text,
      user_agent text,
      expires_at bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ${names.historySessionIndex} ON ${history} (session_id, seq);
    CREATE INDEX IF NOT EXISTS ${names.historyUserIndex} ON ${history} (user_id, seq);
    CREATE INDEX IF NOT EXISTS ${names.historyExpiresIndex} ON ${history} (expires_at);`;
}

/** Every statement of one store, built once. */
export interface Statements {
  readonly ping: string;
  readonly get: string;
  readonly insert: string;
  readonly update: string;
  readonly touch: string;
  readonly delete: string;
  readonly taken: string;
  readonly deleteMany: string;
  readonly listByUser: string;
  readonly deleteByUser: string;
  readonly pruneBatch: string;
  readonly claimPrune: string;
  readonly pingHistory: string;
  readonly historyInsert: string;
  readonly historyTrimSessions: string;
  readonly historyTrimUsers: string;
  readonly historyBySession: string;
  readonly historyByUser: string;
  readonly historyPruneBatch: string;
}

/** Builds the statement texts for one table. */
export function buildStatements(names: TableNames): Statements {
  const { table, meta, history } = names;
  const historyColumns = 'at, type, session_id, previous_id, user_id, actor, reason, ip, user_agent, expires_at';
  // Keeps the $2 newest rows (by append order) of each key in $1.
  const trim = (column: string) => `DELETE FROM ${history} WHERE seq IN (
      SELECT seq FROM (
        SELECT seq, row_number() OVER (PARTITION BY ${column} ORDER BY seq DESC) AS n FROM ${history} WHERE ${column} = ANY ($1::text[])
      ) ranked WHERE n > $2)`;
  const select = (column: string) =>
    `SELECT ${historyColumns} FROM ${history} WHERE ${column} = $1 AND expires_at > $2 AND at < $3 ORDER BY at DESC, seq DESC LIMIT $4`;
  const placeholders = COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
  const assignments = COLUMNS.map((c, i) => `${c} = $${i + 1}`)
    .slice(1)
    .join(', ');
  // The database's clock, not each instance's: instances with skewed clocks still agree on
  // whether an interval has passed since the last prune.
  const dbNow = `(extract(epoch FROM statement_timestamp()) * 1000)::bigint`;
  return Object.freeze({
    ping: `SELECT 1 FROM ${table} LIMIT 1`,
    get: `SELECT ${SELECT_LIST} FROM ${table} WHERE id = $1 AND expires_at > $2`,
    insert: `INSERT INTO ${table} (${COLUMNS.join(', ')}) VALUES (${placeholders}) ON CONFLICT (id) DO NOTHING`,
    // Compare-and-set and the probe that explains a miss in one round trip. The probe reads
    // the statement's snapshot (from before the UPDATE), so a row that was live but at
    // another version reads as 'conflict', and an absent or expired one as 'missing'.
    update: `WITH updated AS (
        UPDATE ${table} SET ${assignments}
        WHERE id = $1 AND version = $14 AND expires_at > $15
        RETURNING 1
      )
      SELECT EXISTS (SELECT 1 FROM updated) AS updated,
             EXISTS (SELECT 1 FROM ${table} WHERE id = $1 AND expires_at > $15) AS live`,
    // One statement, so a touch can never shorten expiry, move last_seen_at back or pass the
    // absolute limit, whatever another connection wrote in between.
    touch: `UPDATE ${table} SET last_seen_at = GREATEST(last_seen_at, $2),
        expires_at = GREATEST(expires_at, LEAST($3, absolute_expires_at))
      WHERE id = $1 AND expires_at > $4`,
    delete: `DELETE FROM ${table} WHERE id = $1`,
    // The capped create (capped-create.ts): any row, expired or not, is what the insert's
    // ON CONFLICT treats as taken; the evicted sessions go in one statement.
    taken: `SELECT 1 FROM ${table} WHERE id = $1`,
    deleteMany: `DELETE FROM ${table} WHERE id = ANY ($1::text[])`,
    listByUser: `SELECT ${SELECT_LIST} FROM ${table} WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at, id`,
    deleteByUser: `DELETE FROM ${table} WHERE user_id = $1 AND id IS DISTINCT FROM $2::text RETURNING id`,
    // A batch by physical row id. SKIP LOCKED: rows a request is writing right now, or that
    // another instance's prune is deleting, are left alone, so pruners never wait on or
    // deadlock with anyone.
    pruneBatch: `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM ${table} WHERE expires_at <= $1 LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED))`,
    // Claims this interval's prune for the whole cluster. The WHERE on last_run_at is what
    // makes it once per interval (a concurrent claimer re-checks it after the winner commits);
    // the advisory try-lock makes a claimer that races the winner give up at once instead of
    // queueing behind its row lock.
    claimPrune: `UPDATE ${meta} SET last_run_at = ${dbNow}, runs = runs + 1
      WHERE job = 'prune' AND last_run_at <= ${dbNow} - $2 AND pg_try_advisory_xact_lock($1::bigint)
      RETURNING runs`,
    // The history (history.ts): one multi-row insert from arrays, trims, reads, a prune batch.
    pingHistory: `SELECT 1 FROM ${history} LIMIT 1`,
    historyInsert: `INSERT INTO ${history} (${historyColumns})
      SELECT ${historyColumns} FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[])
      WITH ORDINALITY AS e(${historyColumns}, ord) ORDER BY ord`,
    historyTrimSessions: trim('session_id'),
    historyTrimUsers: trim('user_id'),
    historyBySession: select('session_id'),
    historyByUser: select('user_id'),
    historyPruneBatch: `DELETE FROM ${history} WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM ${history} WHERE expires_at <= $1 LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED))`,
  });
}
