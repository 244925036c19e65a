// The variants under test. Every server file lives in bench/servers and serves
// POST /login, GET /me (read-only) and POST /inc on 127.0.0.1:$PORT. `ours`: imports our
// TypeScript packages (so it is bundled first with --runtime compiled).
export const VARIANTS = {
  a: { label: 'node:http, no session', file: 'a-node-http.mjs', session: false },
  b: { label: 'fastify, no session', file: 'b-fastify-bare.mjs', session: false },
  'cc-mem': { label: 'fastify + coatcheck + memoryStore', file: 'cc-mem.mjs', session: true, ours: true },
  'cc-sqlite': {
    label: 'fastify + coatcheck + sqliteStore (temp file)',
    file: 'cc-sqlite.mjs',
    session: true,
    ours: true,
    requires: 'packages/sqlite/src/index.ts',
  },
  e: { label: '@fastify/session + memory (rolling:false)', file: 'e-fastify-session.mjs', session: true },
  c: { label: 'express + express-session MemoryStore', file: 'c-express-session.mjs', session: true },
  // Diagnostics, not run by default (see README): how much of the gap is event-loop scheduling.
  'cc-mem-defer': { label: 'cc-mem, store.get deferred (setImmediate)', file: 'cc-mem-defer.mjs', session: true, ours: true },
  ideal: { label: 'ideal: fastify + HMAC cookie + Map', file: 'ideal-mem.mjs', session: true },
  'ideal-defer': { label: 'ideal, lookup deferred (setImmediate)', file: 'ideal-mem.mjs', session: true, env: { DEFER: '1' } },
  // Express: our adapter against express-session on the same store (not run by default).
  'cx-mem': { label: 'express + @coatcheck/express + memoryStore', file: 'cx-mem.mjs', session: true, ours: true },
  'cx-redis': {
    label: 'express + @coatcheck/express + redisStore',
    file: 'cx-redis.mjs',
    session: true,
    ours: true,
    requires: 'packages/redis/src/index.ts',
  },
  'c-redis': { label: 'express + express-session + connect-redis', file: 'c-redis.mjs', session: true },
};

/** Every ratio is divided by this variant. */
export const BASELINE = 'b';
/** Peers our variants are compared with. */
export const PEERS = ['e', 'c', 'c-redis'];
/** The goal: each of our variants / baseline must reach this (memory store). */
export const GOAL = { variant: 'cc-mem', minRatio: 0.75 };
/** Goals against a peer on the same framework and store, measured in the same run. */
export const PEER_GOALS = [
  { variant: 'cx-redis', peer: 'c-redis', minRatio: 1.2 },
  { variant: 'cx-mem', peer: 'c', minRatio: 1.0 },
];
/** Run order inside one repetition (interleaved across repetitions). */
export const DEFAULT_VARIANTS = ['a', 'b', 'cc-mem', 'cc-sqlite', 'e', 'c'];
