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
  // Bearer tokens (not run by default): GET /me with `Authorization: Bearer <access token>`.
  // `h` is perf-anchors variant h: a plain jose.jwtVerify per request (HS256, pre-imported
  // CryptoKey), stateless, so it cannot refuse a token whose session was revoked.
  // `cc-bearer`: @coatcheck/tokens (HS256) with the verified-token cache, checking the
  // session on every request (memory store + in-process bus + local record cache).
  h: { label: 'fastify + jose.jwtVerify per request (HS256, stateless)', file: 'h-jose-jwt.mjs', session: true, bearer: true },
  'cc-bearer': { label: 'fastify + coatcheck tokens (HS256, cached, revocable)', file: 'cc-bearer.mjs', session: true, bearer: true, ours: true, revocable: true },
  // Diagnostics, not run by default (see README): how much of the gap is event-loop scheduling.
  'cc-mem-defer': { label: 'cc-mem, store.get deferred (setImmediate)', file: 'cc-mem-defer.mjs', session: true, ours: true },
  ideal: { label: 'ideal: fastify + HMAC cookie + Map', file: 'ideal-mem.mjs', session: true },
  'ideal-defer': { label: 'ideal, lookup deferred (setImmediate)', file: 'ideal-mem.mjs', session: true, env: { DEFER: '1' } },
};

/** Every ratio is divided by this variant. */
export const BASELINE = 'b';
/** Peers our variants are compared with. */
export const PEERS = ['e', 'c'];
/** The goal: each of our variants / baseline must reach this (memory store). */
export const GOAL = { variant: 'cc-mem', minRatio: 0.75 };
/** The bearer goal: ours with the cache ÷ a plain jose verify per request. */
export const BEARER_GOAL = { variant: 'cc-bearer', versus: 'h', minRatio: 2 };
/** Run order inside one repetition (interleaved across repetitions). */
export const DEFAULT_VARIANTS = ['a', 'b', 'cc-mem', 'cc-sqlite', 'e', 'c'];
