/**
 * The store checks every kind shares: round-trip latency and the clock against the store's,
 * plus the Postgres table check. Internal.
 *
 * @module
 */
import type { OpenedStore } from '../store/open-store.js';
import { fail, ok, warn, type Finding } from './finding.js';

const PINGS = 5;
// Each request costs at least one round trip; past these it shows in every response time.
const SLOW_MS = 20;
const VERY_SLOW_MS = 200;
// Expiry is decided by the app's clock; a store clock far off makes native expiry (Redis
// TTLs) disagree with it, and instances that disagree with each other disagree on expiry.
const SKEW_WARN_MS = 1000;
const SKEW_FAIL_MS = 30_000;

/** Median and worst of a few `ping`s. */
export async function checkLatency(opened: OpenedStore): Promise<Finding> {
  const times: number[] = [];
  for (let i = 0; i < PINGS; i++) {
    const started = performance.now();
    await opened.store.ping();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  const worst = times[times.length - 1] as number;
  const what = `${PINGS} round trips: median ${median.toFixed(1)} ms, worst ${worst.toFixed(1)} ms`;
  if (median > VERY_SLOW_MS) return fail('store.latency', what, 'run the store next to the app (same region or network); every request waits for it');
  if (median > SLOW_MS) return warn('store.latency', what, "move the store closer to the app, or turn on the manager's cache (cache: true with a bus)");
  return ok('store.latency', what);
}

/** This machine's clock against the store server's. */
export async function checkClock(opened: OpenedStore): Promise<Finding> {
  const before = Date.now();
  const server = await opened.serverTime();
  const after = Date.now();
  if (server === null) return ok('store.clock', `${opened.kind} uses this machine's clock`);
  // The server read its clock somewhere in the round trip: compare with the midpoint.
  const skew = server - (before + after) / 2;
  const what = `the store's clock is ${Math.abs(Math.round(skew))} ms ${skew >= 0 ? 'ahead of' : 'behind'} this machine's (round trip ${after - before} ms)`;
  const fix = 'run NTP (chrony or systemd-timesyncd) on the app hosts and the store host';
  if (Math.abs(skew) > SKEW_FAIL_MS) return fail('store.clock', what, fix);
  if (Math.abs(skew) > SKEW_WARN_MS) return warn('store.clock', what, fix);
  return ok('store.clock', what);
}

/** Postgres: the table answers a full read (every column the store reads) and the server version. */
export async function checkPostgres(opened: OpenedStore): Promise<Finding[]> {
  const findings: Finding[] = [];
  try {
    // The store's own SELECT of a record: it names every column, so a table created by an
    // older or hand-written DDL that lacks one fails here, as the app would.
    await opened.store.get('AAAAAAAAAAAAAAAAAAAAAAAA', Date.now());
    findings.push(
      ok('postgres.schema', 'the sessions table has every column the store reads (@coatcheck/postgres keeps no schema version number; its DDL is idempotent)'),
    );
  } catch (error) {
    findings.push(
      fail(
        'postgres.schema',
        `reading the sessions table failed: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`,
        'apply the DDL from docs/postgres.md (or let the app create the table with createTable: true)',
      ),
    );
  }
  const pool = opened.handles.pool;
  if (pool) {
    const { rows } = await pool.query<{ server_version_num: string }>('SHOW server_version_num');
    const version = Number(rows[0]?.server_version_num ?? 0);
    if (version > 0 && version < 130000)
      findings.push(
        warn('postgres.version', `Postgres ${Math.floor(version / 10000)} is past its end of life`, 'upgrade to a supported Postgres (13 or later)'),
      );
    else findings.push(ok('postgres.version', `Postgres ${Math.floor(version / 10000)}`));
  }
  return findings;
}
