// Fan-out benchmark server: Socket.IO 4 with @socket.io/redis-adapter, websocket transport
// only, no compression. Every socket joins the room "bench". Same IPC commands as
// fanout-coatcheck.mjs. No authentication: it only makes Socket.IO's side cheaper.
import { createServer } from 'node:http';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';

const { PORT, REDIS_URL, PREFIX } = process.env;
const pub = createClient({ url: REDIS_URL }).on('error', () => {});
const sub = pub.duplicate().on('error', () => {});
await Promise.all([pub.connect(), sub.connect()]);
const server = createServer();
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
io.adapter(createAdapter(pub, sub, { key: `${PREFIX}socket.io` }));
io.on('connection', (socket) => socket.join('bench'));
await new Promise((resolve) => server.listen(Number(PORT), '127.0.0.1', resolve));

let cpuAtStart = process.cpuUsage();
process.on('message', async (message) => {
  if (message.cmd === 'cpu') {
    const used = process.cpuUsage(cpuAtStart);
    process.send({ cpuMs: (used.user + used.system) / 1000 });
  } else if (message.cmd === 'fanout') {
    cpuAtStart = process.cpuUsage();
    const payload = 'x'.repeat(message.size);
    const started = performance.now();
    for (let i = 0; i < message.count; i++) io.to('bench').emit('m', payload);
    // Until the event loop is free again: every frame handed to the kernel.
    await new Promise((resolve) => setImmediate(resolve));
    process.send({ done: true, serverMs: performance.now() - started });
  } else if (message.cmd === 'publish') {
    io.to('bench').emit('m', { t: performance.timeOrigin + performance.now() });
  } else if (message.cmd === 'stats') {
    process.send({ stats: { connections: io.engine.clientsCount } });
  } else if (message.cmd === 'stop') {
    io.close();
    server.closeAllConnections();
    await Promise.allSettled([pub.quit(), sub.quit()]);
    process.exit(0);
  }
});
process.send({ ready: true, cookie: null, path: '/socket.io/?EIO=4&transport=websocket' });
