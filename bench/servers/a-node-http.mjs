// (a) node:http, no session: the ceiling of one Node core. Process-global counter.
import http from 'node:http';

const user = { userId: 'u_42', counter: 0 };
const send = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

http
  .createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/me') return send(res, 200, user);
    if (req.method === 'POST' && req.url === '/login') return send(res, 200, { ok: true });
    if (req.method === 'POST' && req.url === '/inc') return send(res, 200, { counter: ++user.counter });
    send(res, 404, { error: 'not found' });
  })
  .listen(Number(process.env.PORT ?? 3001), '127.0.0.1');
