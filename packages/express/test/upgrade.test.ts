// authenticateUpgrade on a real HTTP server's 'upgrade' event, which bypasses middleware.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { SECRET } from '@coatcheck/adapter-suite';
import { authenticateUpgrade } from '../src/index.js';

async function upgradeServer(trustedOrigins: string[] = []) {
  const manager = createSessionManager({
    store: memoryStore({ sweepIntervalMs: 0, quiet: true }),
    secrets: [SECRET],
    production: false,
    csrf: { trustedOrigins },
  });
  const server = createServer();
  server.on('upgrade', (req, socket) => {
    authenticateUpgrade(manager, req, { trustProxy: true }).then(
      (session) =>
        socket.end(
          session
            ? `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-User: ${session.userId}\r\n\r\n`
            : 'HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n',
        ),
      () => socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n'),
    );
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  after(() => new Promise((resolve) => server.close(resolve)));
  // A logged-in session, created the way a login route would.
  const session = await manager.load({ secure: true });
  await session.login('alice');
  const cookie = ((await session.commit())[0] as string).split(';')[0] as string;
  return { port: (server.address() as AddressInfo).port, cookie, manager };
}

function upgrade(port: number, headers: Record<string, string>): Promise<{ status: number; user: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/ws',
      agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'x-forwarded-proto': 'https', host: 'shop.test', ...headers },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, user: res.headers['x-user'] as string | undefined });
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, user: undefined });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('authenticateUpgrade', () => {
  it('WS authenticates a same-origin upgrade by its session cookie; no cookie or a dead one is refused', async () => {
    const { port, cookie } = await upgradeServer();
    assert.deepEqual(await upgrade(port, { cookie, origin: 'https://shop.test' }), { status: 101, user: 'alice' });
    assert.deepEqual(await upgrade(port, { cookie }), { status: 101, user: 'alice' });
    assert.equal((await upgrade(port, {})).status, 401);
    assert.equal((await upgrade(port, { cookie: `${cookie.slice(0, -2)}xx` })).status, 401);
  });

  it('cross-site WebSocket hijacking: a foreign Origin is refused even with a valid cookie; trusted origins pass', async () => {
    const { port, cookie } = await upgradeServer(['https://app.shop.test']);
    for (const origin of ['https://evil.example', 'null', 'http://shop.test']) {
      assert.equal((await upgrade(port, { cookie, origin })).status, 401, origin);
    }
    assert.equal((await upgrade(port, { cookie, origin: 'https://app.shop.test' })).status, 101);
  });
});
