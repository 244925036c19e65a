// Fan-out benchmark clients: N plain `ws` sockets in one process, speaking just enough of
// each protocol to join (coatcheck: nothing; Socket.IO: the engine.io open and "40"
// connect, and pong "3" for ping "2"). They count message frames without parsing them, so
// the client side costs the same for both systems.
import WebSocket from 'ws';

const { URL_, COOKIE, ORIGIN, KIND, N } = process.env;
const n = Number(N);
let received = 0;
let expected = Infinity;
let joined = 0;
const sockets = [];

function check() {
  if (received >= expected) {
    expected = Infinity;
    process.send({ done: true, at: performance.timeOrigin + performance.now() });
  }
}

function open() {
  const headers = { origin: ORIGIN, ...(COOKIE ? { cookie: COOKIE } : {}) };
  const ws = new WebSocket(URL_, { headers, perMessageDeflate: false });
  sockets.push(ws);
  let ready = false;
  ws.on('message', (data) => {
    if (KIND === 'socketio') {
      const first = data[0];
      if (first === 0x34 && data[1] === 0x32) {
        received++;
        return check();
      }
      if (first === 0x30) return ws.send('40');
      if (first === 0x32) return ws.send('3');
      if (first === 0x34 && data[1] === 0x30 && !ready) {
        ready = true;
        joined++;
        if (joined === n) process.send({ connected: n });
      }
      return;
    }
    if (!ready) {
      ready = true;
      joined++;
      if (joined === n) process.send({ connected: n });
      return;
    }
    received++;
    check();
  });
  ws.on('error', (error) => process.send({ error: String(error) }));
}

// Open in batches so the server's accept queue is not flooded.
for (let i = 0; i < n; i += 200) {
  for (let j = i; j < Math.min(n, i + 200); j++) open();
  await new Promise((resolve) => setTimeout(resolve, 20));
}

process.on('message', (message) => {
  if (message.cmd === 'expect') {
    received = 0;
    expected = message.total;
    process.send({ expecting: true });
  } else if (message.cmd === 'stop') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
