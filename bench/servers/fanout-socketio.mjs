// Fan-out benchmark server: Socket.IO 4 with @socket.io/redis-adapter, websocket transport
// only, no compression. Every socket joins the room "bench". Driven like
// fanout-coatcheck.mjs. No authentication: it only makes Socket.IO's side cheaper.
import { createServer } from 'node:http';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { serveFanoutCommands } from '../fanout/serve-commands.mjs';

const { PORT, REDIS_URL, PREFIX } = process.env;
const pub = createClient({ url: REDIS_URL }).on('error', () => {});
const sub = pub.duplicate().on('error', () => {});
await Promise.all([pub.connect(), sub.connect()]);
const server = createServer();
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
io.adapter(createAdapter(pub, sub, { key: `${PREFIX}socket.io` }));
io.on('connection', (socket) => socket.join('bench'));
await new Promise((resolve) => server.listen(Number(PORT), '127.0.0.1', resolve));

serveFanoutCommands(
  {
    broadcast: (data) => io.to('bench').emit('m', data),
    async stop() {
      void io.close();
      server.closeAllConnections();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  },
  { cookie: null, path: '/socket.io/?EIO=4&transport=websocket' },
);
