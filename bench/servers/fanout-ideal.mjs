// Fan-out benchmark floor: the least a server can do to push one message to N WebSockets
// (a `ws` server, no authentication, no groups): the frame is built once and written to
// every raw socket with one `socket.write`, and published once to Redis for the other
// instances. Driven like fanout-coatcheck.mjs.
import { createServer } from 'node:http';
import { createClient } from 'redis';
import { Sender, WebSocketServer } from 'ws';
import { serveFanoutCommands } from '../fanout/serve-commands.mjs';

const { PORT, REDIS_URL, PREFIX } = process.env;
const pub = createClient({ url: REDIS_URL }).on('error', () => {});
const sub = pub.duplicate().on('error', () => {});
await Promise.all([pub.connect(), sub.connect()]);
const channel = `${PREFIX}ideal`;
const sockets = new Set();
const frameOf = (text) => Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: true }));
const pushAll = (frame) => {
  for (const ws of sockets) ws._socket.write(frame);
};
const instance = `${process.pid}`;
await sub.subscribe(channel, (message) => {
  const at = message.indexOf(' ');
  if (message.slice(0, at) !== instance) pushAll(frameOf(message.slice(at + 1)));
});

const server = createServer();
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (request, socket, head) =>
  wss.handleUpgrade(request, socket, head, (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.send('{"type":"ready"}');
  }),
);
await new Promise((resolve) => server.listen(Number(PORT), '127.0.0.1', resolve));

serveFanoutCommands(
  {
    async broadcast(data) {
      const text = JSON.stringify({ type: 'message', data });
      pushAll(frameOf(text));
      await pub.publish(channel, `${instance} ${text}`);
    },
    async stop() {
      for (const ws of sockets) ws.terminate();
      server.close();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  },
  { cookie: null, path: '/ws' },
);
