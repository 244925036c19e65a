// Memory one instance spends per cached session (the revocation-aware local cache) and per
// open WebSocket (the realtime hub): V8 heap plus external memory (buffers) after a full GC,
// before and after, divided by the count. Needs `--expose-gc` (measure.mjs starts itself
// with it). The sockets' clients run in another process (bench/fanout/clients.mjs, the
// fan-out benchmark's), so only the server's side is counted.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { createHub } from '@coatcheck/realtime';
import { redisBus, redisStore } from '@coatcheck/redis';
import { browserRequest, sessionRecord } from './workload.mjs';

const CLIENTS = fileURLToPath(new URL('../../bench/fanout/clients.mjs', import.meta.url));
const ORIGIN = 'http://capacity.test';

/** Heap plus external bytes after a full collection. */
function settledMemory() {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc (node scripts/capacity/measure.mjs does)');
  globalThis.gc();
  globalThis.gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** The local cache's bytes per cached session (Redis store and bus, on a private server). */
export async function measureCacheBytes(client, count) {
  const prefix = 'capacity-cache:';
  const store = redisStore({ client, prefix, checkConfig: false, opTimeoutMs: 60_000 });
  const bus = redisBus({ client, prefix });
  await bus.ready;
  // Entries outlive the measurement and none is evicted: every session loaded stays cached.
  const manager = createSessionManager({ store, bus, secrets: [randomBytes(32).toString('base64url')], cache: { maxEntries: count + 1, ttlMs: 600_000 } });
  let storeCalls = 0;
  const stop = manager.onStoreCall(() => void storeCalls++);
  try {
    const ids = [];
    const now = Date.now();
    for (let start = 0; start < count; start += 200) {
      const batch = Array.from({ length: Math.min(200, count - start) }, (_, k) => sessionRecord(start + k, count, now));
      await Promise.all(batch.map((record) => store.create(record)));
      for (const record of batch) ids.push(record.id);
    }
    const before = settledMemory();
    for (const id of ids) await manager.loadById(id, browserRequest(null));
    const after = settledMemory();
    // Proof the sessions are in the cache: a second pass must not reach the store.
    storeCalls = 0;
    for (const id of ids) await manager.loadById(id, browserRequest(null));
    if (storeCalls !== 0) throw new Error(`the cache did not hold the sessions: ${storeCalls} store calls on the second pass`);
    return { bytesPerSession: Math.round((after - before) / count) };
  } finally {
    stop();
    await manager.close();
    await bus.close();
    await client.flushDb();
  }
}

/** The hub's bytes per open, authenticated WebSocket (server side). */
export async function measureSocketBytes(count) {
  // Plain ws:// on loopback: the development cookie, not the `__Host-` one HTTPS gets.
  const manager = createSessionManager({ store: memoryStore({ quiet: true }), secrets: [randomBytes(32).toString('base64url')], production: false });
  const hub = createHub({ manager, origins: [ORIGIN], maxConnectionsPerUser: count + 1, logger: { warn() {}, error: (message) => console.error(message) } });
  const server = createServer();
  hub.attach(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const session = await manager.load({ ...browserRequest(null), secure: false });
  await session.login('capacity-sockets');
  const cookie = ((await session.commit())[0] ?? '').split(';')[0];
  const before = settledMemory();
  const clients = fork(CLIENTS, [], {
    env: { ...process.env, URL_: `ws://127.0.0.1:${server.address().port}/ws`, COOKIE: cookie, ORIGIN, KIND: 'coatcheck', N: String(count) },
    execArgv: [],
  });
  try {
    await new Promise((resolve, reject) => {
      clients.on('message', (message) => {
        if (message.connected === count) resolve();
        if (message.error) reject(new Error(`socket client: ${message.error}`));
      });
      clients.once('exit', (code) => reject(new Error(`the socket clients exited (${code}) before all ${count} connected`)));
    });
    if (hub.stats.connections !== count) throw new Error(`the hub holds ${hub.stats.connections} sockets, not ${count}`);
    const after = settledMemory();
    return { bytesPerSocket: Math.round((after - before) / count) };
  } finally {
    clients.send({ cmd: 'stop' });
    await hub.close();
    server.closeAllConnections();
    server.close();
    await manager.close();
  }
}
