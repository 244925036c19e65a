// authenticateUpgrade on a real server's 'upgrade' event: the proxy-trust rule decides the
// scheme (and so which cookie is read and which origin is this site's), and a foreign Origin
// gets no session.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { authenticateUpgrade, type TrustProxy } from 'coatcheck/adapter';

const SECRET = 'upgrade-secret-6e0a4c8f2b7d1f5a9c3e';

async function upgradeServer(trustProxy: TrustProxy | undefined, trustedOrigins: string[] = []) {
  const manager = createSessionManager({
    store: memoryStore({ sweepIntervalMs: 0, quiet: true }),
    secrets: [SECRET],
    production: false,
    csrf: { trustedOrigins },
  });
  const server = createServer();
  server.on('upgrade', (req, socket) => {
    authenticateUpgrade(manager, req, trustProxy === undefined ? undefined : { trustProxy }).then(
      (session) =>
        socket.end(`HTTP/1.1 ${session ? '101 Switching Protocols' : '401 Unauthorized'}\r\nConnection: close\r\nX-User: ${session?.userId ?? '-'}\r\n\r\n`),
      () => socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n'),
    );
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  after(() => new Promise((resolve) => server.close(resolve)));
  const session = await manager.load({ secure: true });
  await session.login('alice');
  const cookie = ((await session.commit())[0] as string).split(';')[0] as string;
  return { port: (server.address() as AddressInfo).port, cookie };
}

/** Sends an upgrade request; the status and X-User of the answer. */
function upgrade(port: number, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/ws',
      agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', host: 'shop.test', ...headers },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(`${res.statusCode} ${res.headers['x-user']}`);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(`${res.statusCode} ${res.headers['x-user']}`);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('authenticateUpgrade (core)', () => {
  it("PT-01 PT-02 the HTTPS claim of a proxy counts only when trusted: otherwise the secure cookie is not this scheme's", async () => {
    const forwarded = { 'x-forwarded-proto': 'https' };
    const trusted = await upgradeServer(1);
    assert.equal(await upgrade(trusted.port, { ...forwarded, cookie: trusted.cookie }), '101 alice');
    const untrusted = await upgradeServer(undefined);
    assert.equal(await upgrade(untrusted.port, { ...forwarded, cookie: untrusted.cookie }), '401 -');
  });

  it("CS-07 a browser Origin must be this site's, by the trusted scheme, or a trusted origin; none is fine", async () => {
    const { port, cookie } = await upgradeServer(true, ['https://app.shop.test']);
    const https = { 'x-forwarded-proto': 'https', cookie };
    assert.equal(await upgrade(port, https), '101 alice');
    assert.equal(await upgrade(port, { ...https, origin: 'https://shop.test' }), '101 alice');
    assert.equal(await upgrade(port, { ...https, origin: 'https://app.shop.test' }), '101 alice');
    for (const origin of ['http://shop.test', 'https://evil.example', 'null']) assert.equal(await upgrade(port, { ...https, origin }), '401 -', origin);
  });
});
