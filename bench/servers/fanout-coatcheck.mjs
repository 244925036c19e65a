// Fan-out benchmark server: a coatcheck realtime hub on a Node HTTP server, cross-instance
// through Redis (redisBus). Every socket joins the room "bench". Driven over IPC by
// bench/fanout.mjs: { cmd: 'fanout', count, size } and { cmd: 'publish', t }.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { redisBus } from '@coatcheck/redis';
import { createHub } from '@coatcheck/realtime';

const { PORT, REDIS_URL, PREFIX, SECRET, ORIGIN } = process.env;
const client = createClient({ url: REDIS_URL }).on('error', () => {});
await client.connect();
const bus = redisBus({ client, prefix: PREFIX });
await bus.ready;
const store = memoryStore();
const manager = createSessionManager({ store, bus, secrets: [Buffer.from(SECRET, 'base64url')], production: false });
const hub = createHub({
  manager,
  origins: [ORIGIN],
  maxConnectionsPerUser: 1_000_000,
  maxBufferedBytes: 64 * 1024 * 1024,
  onConnection: (connection) => connection.join('bench'),
  logger: { warn: () => {}, error: (m, c) => console.error(m, c) },
});
const server = createServer();
hub.attach(server);
await new Promise((resolve) => server.listen(Number(PORT), '127.0.0.1', resolve));

const session = await manager.load({ cookie: null, secure: false });
await session.login(`bench-${randomBytes(4).toString('hex')}`);
const cookie = ((await session.commit())[0] ?? '').split(';')[0];

let cpuAtStart = process.cpuUsage();
process.on('message', async (message) => {
  if (message.cmd === 'cpu') {
    const used = process.cpuUsage(cpuAtStart);
    process.send({ cpuMs: (used.user + used.system) / 1000 });
  } else if (message.cmd === 'fanout') {
    cpuAtStart = process.cpuUsage();
    const payload = 'x'.repeat(message.size);
    const started = performance.now();
    // Not awaited one by one (Socket.IO's emit does not wait for Redis either).
    const sent = [];
    for (let i = 0; i < message.count; i++) sent.push(hub.publish({ room: 'bench' }, payload).catch((error) => console.error(String(error))));
    // Until the event loop is free again: every frame handed to the kernel.
    await new Promise((resolve) => setImmediate(resolve));
    const serverMs = performance.now() - started;
    await Promise.all(sent);
    process.send({ done: true, serverMs });
  } else if (message.cmd === 'publish') {
    await hub.publish({ room: 'bench' }, { t: performance.timeOrigin + performance.now() }).catch((error) => console.error(String(error)));
  } else if (message.cmd === 'stats') {
    process.send({ stats: hub.stats });
  } else if (message.cmd === 'stop') {
    await hub.close();
    server.closeAllConnections();
    server.close();
    await bus.close();
    client.destroy();
    process.exit(0);
  }
});
process.send({ ready: true, cookie, path: '/ws' });
