// Fan-out benchmark server: a coatcheck realtime hub on a Node HTTP server, cross-instance
// through Redis (redisBus). Every socket joins the room "bench". Driven over IPC by
// bench/fanout.mjs through bench/fanout/serve-commands.mjs.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { redisBus } from '@coatcheck/redis';
import { createHub } from '@coatcheck/realtime';
import { serveFanoutCommands } from '../fanout/serve-commands.mjs';

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

serveFanoutCommands(
  {
    broadcast: (data) => hub.publish({ room: 'bench' }, data).catch((error) => console.error(String(error))),
    async stop() {
      await hub.close();
      server.closeAllConnections();
      server.close();
      await bus.close();
      client.destroy();
    },
  },
  { cookie, path: '/ws' },
);
