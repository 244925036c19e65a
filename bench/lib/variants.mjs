// The variants under test. Every server file lives in bench/servers and serves
// POST /login, GET /me (read-only) and POST /inc on 127.0.0.1:$PORT. `ours`: imports our
// TypeScript packages (so it is bundled first with --runtime compiled).
/** The exporter packages the observed variants load (files that must exist for them to run). */
const OBSERVABILITY = ['packages/prometheus/src/index.ts', 'packages/opentelemetry/src/index.ts'];

export const VARIANTS = {
  a: { label: 'node:http, no session', file: 'a-node-http.mjs', session: false },
  b: { label: 'fastify, no session', file: 'b-fastify-bare.mjs', session: false },
  'cc-mem': { label: 'fastify + coatcheck + memoryStore', file: 'cc-mem.mjs', session: true, ours: true },
  'cc-mem-observed': {
    label: 'cc-mem + @coatcheck/prometheus + @coatcheck/opentelemetry (a request span each, spans exported to nowhere)',
    file: 'cc-mem-observed.mjs',
    session: true,
    ours: true,
    requires: OBSERVABILITY,
  },
  'cc-mem-exporters': {
    label: 'cc-mem + both exporters, defaults, no HTTP tracing in the app',
    file: 'cc-mem-observed.mjs',
    session: true,
    ours: true,
    requires: OBSERVABILITY,
    env: { HTTP_TRACING: '0' },
  },
  'cc-mem-http-traced': {
    label: 'cc-mem in an app with a request span each, no exporter',
    file: 'cc-mem-observed.mjs',
    session: true,
    ours: true,
    requires: OBSERVABILITY,
    env: { EXPORTERS: '0' },
  },
  'cc-sqlite': {
    label: 'fastify + coatcheck + sqliteStore (temp file), defaults: its bus + local cache',
    file: 'cc-sqlite.mjs',
    session: true,
    ours: true,
    requires: 'packages/sqlite/src/index.ts',
  },
  'cc-sqlite-nocache': {
    label: 'cc-sqlite with cache: false',
    file: 'cc-sqlite.mjs',
    session: true,
    ours: true,
    requires: 'packages/sqlite/src/index.ts',
    env: { NOCACHE: '1' },
  },
  'cc-sqlite-2proc': {
    label: 'cc-sqlite in 2 processes (node:cluster) on one file and port',
    file: 'cc-sqlite.mjs',
    session: true,
    ours: true,
    requires: 'packages/sqlite/src/index.ts',
    env: { WORKERS: '2' },
    // Processes the server core runs besides the measured primary: no noisy-run check.
    workers: 2,
  },
  'cc-redis': { label: 'fastify + coatcheck + redisStore', file: 'cc-redis.mjs', session: true, ours: true, redis: true },
  'cc-redis-cache': {
    label: 'cc-redis + redisBus + local cache',
    file: 'cc-redis.mjs',
    session: true,
    ours: true,
    redis: true,
    env: { CACHE: '1' },
  },
  'cc-redis-ioredis': {
    label: 'cc-redis on ioredis 6',
    file: 'cc-redis.mjs',
    session: true,
    ours: true,
    redis: true,
    env: { REDIS_CLIENT: 'ioredis' },
  },
  'cc-redis-iovalkey': {
    label: 'cc-redis on iovalkey',
    file: 'cc-redis.mjs',
    session: true,
    ours: true,
    redis: true,
    env: { REDIS_CLIENT: 'iovalkey' },
  },
  'ideal-redis': { label: 'ideal: fastify + HMAC cookie + 1 GET', file: 'ideal-redis.mjs', session: true, redis: true },
  e: { label: '@fastify/session + memory (rolling:false)', file: 'e-fastify-session.mjs', session: true },
  c: { label: 'express + express-session MemoryStore', file: 'c-express-session.mjs', session: true },
  f: { label: '@fastify/session + connect-redis (rolling:false)', file: 'e-fastify-session.mjs', session: true, redis: true, env: { STORE: 'redis' } },
  d: { label: 'express-session + connect-redis (touch)', file: 'c-express-session.mjs', session: true, redis: true, env: { STORE: 'redis' } },
  // Bearer tokens: GET /me with `Authorization: Bearer <access token>`.
  // `h` is a plain jose.jwtVerify per request (HS256, pre-imported
  // CryptoKey), stateless, so it cannot refuse a token whose session was revoked.
  // `cc-bearer`: @coatcheck/tokens (HS256) with the verified-token cache, checking the
  // session on every request (memory store + in-process bus + local record cache).
  h: { label: 'fastify + jose.jwtVerify per request (HS256, stateless)', file: 'h-jose-jwt.mjs', session: true, bearer: true },
  'cc-bearer': {
    label: 'fastify + coatcheck tokens (HS256, cached, revocable)',
    file: 'cc-bearer.mjs',
    session: true,
    bearer: true,
    ours: true,
    revocable: true,
  },
  // Diagnostics, not run by default (see README): how much of the gap is event-loop scheduling.
  'cc-mem-defer': { label: 'cc-mem, store.get deferred (setImmediate)', file: 'cc-mem-defer.mjs', session: true, ours: true },
  ideal: { label: 'ideal: fastify + HMAC cookie + Map', file: 'ideal-mem.mjs', session: true },
  'ideal-cache': { label: 'ideal, verified-cookie cache', file: 'ideal-mem.mjs', session: true, env: { CACHE: '1' } },
  'ideal-defer': { label: 'ideal, lookup deferred (setImmediate)', file: 'ideal-mem.mjs', session: true, env: { DEFER: '1' } },
  // Express: our adapter against express-session on the same store (c and d).
  'cx-mem': { label: 'express + @coatcheck/express + memoryStore', file: 'cx-mem.mjs', session: true, ours: true },
  'cx-redis': {
    label: 'express + @coatcheck/express + redisStore',
    file: 'cx-redis.mjs',
    session: true,
    ours: true,
    redis: true,
  },
};

/** Every ratio is divided by this variant. */
export const BASELINE = 'b';
/** Peers our variants are compared with. */
export const PEERS = ['e', 'c', 'f', 'd'];
/** The goals: `variant` ÷ `vs` (medians, and paired per repetition) must reach `minRatio`. */
export const GOALS = [
  { variant: 'cc-mem', vs: 'b', minRatio: 0.75 },
  // The embedded default: SQLite with its bus and the local cache as fast as memory; without
  // the cache, every read a row.
  { variant: 'cc-sqlite', vs: 'cc-mem', minRatio: 0.95 },
  { variant: 'cc-sqlite', vs: 'b', minRatio: 0.8 },
  { variant: 'cc-sqlite-nocache', vs: 'b', minRatio: 0.65 },
  { variant: 'cc-redis', vs: 'ideal-redis', minRatio: 0.9 },
  { variant: 'cc-redis', vs: 'f', minRatio: 1.5 },
  { variant: 'cc-redis-cache', vs: 'b', minRatio: 0.8 },
  { variant: 'cx-redis', vs: 'd', minRatio: 1.2 },
  { variant: 'cx-mem', vs: 'c', minRatio: 1.0 },
  // Bearer: ours with the verified-token cache ÷ a plain jose verify per request.
  { variant: 'cc-bearer', vs: 'h', minRatio: 2 },
  // Exporters: both installed cost under 10 % of cc-mem; in an app that traces HTTP, under 10 %
  // of the same app without them.
  { variant: 'cc-mem-exporters', vs: 'cc-mem', minRatio: 0.9 },
  { variant: 'cc-mem-observed', vs: 'cc-mem-http-traced', minRatio: 0.9 },
];
/** Run order inside one repetition (interleaved across repetitions). */
export const DEFAULT_VARIANTS = [
  'a',
  'b',
  'cc-mem',
  'cc-sqlite',
  'e',
  'c',
  'cc-redis',
  'cc-redis-cache',
  'ideal-redis',
  'f',
  'd',
  'cx-mem',
  'cx-redis',
  'h',
  'cc-bearer',
];
