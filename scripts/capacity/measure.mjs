// Measures what docs/scaling.md computes from, and writes it to docs/capacity/measured.json:
//   node scripts/capacity/measure.mjs [--sessions 5000] [--requests 200] [--sockets 1000] [--out FILE]
// then `node scripts/capacity/table.mjs` rewrites the doc's table from that file.
// Needs Postgres (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) and Debian's
// redis-server: Redis figures come from a private server started here (its counters and its
// memory are this run's alone), never from the shared one. Takes under a minute.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScriptArgs } from '../lib/script-args.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// The packages' TypeScript sources (the `source` condition, through tsx) and a collectable
// heap: started again with both when run plainly.
if (typeof globalThis.gc !== 'function' || !process.execArgv.includes('--conditions=source')) {
  const args = ['--expose-gc', '--conditions=source', '--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root }).status ?? 1);
}

const { values } = parseScriptArgs(import.meta.url, {
  options: {
    sessions: { type: 'string', default: '5000' },
    requests: { type: 'string', default: '200' },
    sockets: { type: 'string', default: '1000' },
    out: { type: 'string', default: resolve(root, 'docs/capacity/measured.json') },
  },
});
const sessions = Number(values.sessions);
const requestCount = Number(values.requests);
const sockets = Number(values.sockets);
if (![sessions, requestCount, sockets].every((n) => Number.isInteger(n) && n >= 10) || requestCount % 2 !== 0) {
  console.error('--sessions, --requests (even) and --sockets are whole numbers of at least 10');
  process.exit(2);
}
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const { createClient } = await import('redis');
const { redisBus, redisStore } = await import('@coatcheck/redis');
const { postgresStore } = await import('@coatcheck/postgres');
const { sqliteStore } = await import('@coatcheck/sqlite');
const { startRedisServer } = await import('../../packages/redis/test/fixtures/redis-server.ts');
const { measurePostgresSize, measureRedisSize, measureSqliteSize } = await import('./store-sizes.mjs');
const { measureRequestCosts, REVOKE_ALL_SESSIONS } = await import('./request-costs.mjs');
const { measureCacheBytes, measureSocketBytes } = await import('./instance-memory.mjs');
const { cart } = await import('./workload.mjs');

const step = (what) => console.error(`capacity: ${what}`);
const server = await startRedisServer();
const redis = createClient({ url: server.url });
redis.on('error', (error) => console.error(`redis: ${error.message}`));
await redis.connect();
try {
  step(`Redis bytes per session (${sessions} sessions)`);
  const redisSize = await measureRedisSize(redis, sessions);
  step(`Postgres bytes per session (${sessions} sessions)`);
  const postgresSize = await measurePostgresSize(DATABASE_URL, sessions);
  step(`SQLite bytes per session (${sessions} sessions)`);
  const sqliteSize = await measureSqliteSize(sessions);

  step(`store calls per request (${requestCount} users per kind)`);
  const prefix = 'capacity-requests:';
  const store = redisStore({ client: redis, prefix, checkConfig: false, opTimeoutMs: 60_000 });
  const bus = redisBus({ client: redis, prefix });
  await bus.ready;
  // What the bus carries, as every other instance receives it.
  let busBytes = 0;
  let busMessages = 0;
  let markerSeen = false;
  const marker = `capacity-marker-${Date.now()}`;
  const subscriber = redis.duplicate();
  await subscriber.connect();
  await subscriber.subscribe(`${prefix}bus`, (message) => {
    if (message === marker) markerSeen = true;
    else {
      busBytes += Buffer.byteLength(message);
      busMessages++;
    }
  });
  const redisCosts = await measureRequestCosts({ store, bus, redis, count: requestCount });
  // Every bus message was published (and awaited) before this one: once it arrives, all have.
  await redis.publish(`${prefix}bus`, marker);
  for (let i = 0; i < 3000 && !markerSeen; i++) await new Promise((r) => setTimeout(r, 5));
  if (!markerSeen) throw new Error('the bus subscriber never saw the end marker');
  await subscriber.close();
  await bus.close();
  await redis.flushDb();

  const postgres = postgresStore({ connectionString: DATABASE_URL, tableName: `capacity_${Date.now().toString(36)}`, pruneIntervalMs: 0 });
  const postgresCosts = await measureRequestCosts({ store: postgres, count: requestCount }).finally(async () => {
    await postgres.pool.query(`DROP TABLE IF EXISTS ${postgres.table}, ${postgres.table}_meta`);
    await postgres.close();
  });
  const sqlite = sqliteStore({ filename: ':memory:', pruneIntervalMs: 0 });
  const sqliteCosts = await measureRequestCosts({ store: sqlite, count: requestCount }).finally(() => sqlite.close());

  step(`local cache bytes per session (${sessions} sessions)`);
  const cache = await measureCacheBytes(redis, sessions);
  step(`hub bytes per socket (${sockets} sockets)`);
  const socket = await measureSocketBytes(sockets);

  const measured = {
    measuredAt: new Date().toISOString().slice(0, 10),
    node: process.version,
    redis: redisSize.redisVersion,
    postgres: postgresSize.postgresVersion,
    counts: { sessions, requests: requestCount, sockets, revokeAllSessions: REVOKE_ALL_SESSIONS },
    session: { dataBytes: Buffer.byteLength(JSON.stringify({ cart: cart() })), redisValueBytes: redisSize.valueBytes },
    bytesPerSession: {
      redis: redisSize.bytesPerSession,
      postgres: postgresSize.bytesPerSession,
      postgresFresh: postgresSize.freshBytesPerSession,
      postgresIndexes: postgresSize.indexBytesPerSession,
      sqlite: sqliteSize.bytesPerSession,
    },
    requests: { redis: redisCosts, postgres: postgresCosts, sqlite: sqliteCosts },
    busBytesPerMessage: busMessages === 0 ? 0 : Math.round(busBytes / busMessages),
    cacheBytesPerSession: cache.bytesPerSession,
    socketBytes: socket.bytesPerSocket,
  };
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify(measured, null, 2)}\n`);
  step(`wrote ${values.out}`);
} finally {
  await redis.close();
  await server.kill();
  rmSync(server.dir, { recursive: true, force: true });
}
