// connectRedis at start-up: an unreachable, silent or password-protected Redis fails within
// the bound with the URL (password hidden) and what to check, on node-redis v5 and v6 alike;
// a reachable one resolves with the connected client.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import * as redis5 from 'redis';
import * as redis6 from 'redis6';
import { SessionConfigError, SessionStartupError } from 'coatcheck/errors';
import { connectRedis, createRedisClientOptions, DEFAULT_CONNECT_TIMEOUT_MS } from '@coatcheck/redis';
import { freePort, useRedisServer } from './fixtures/redis-server.js';
import { eventually, REDIS_URL } from './fixtures/clients.js';

// A TCP server that accepts connections and never answers: what a black-holed address, a
// TLS-only port or the wrong service looks like to a client.
const sockets = new Set<Socket>();
const silent = createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
const silentPort = (silent.address() as { port: number }).port;
after(() => {
  for (const socket of sockets) socket.destroy();
  silent.close();
});

const protectedRedis = await useRedisServer(['--requirepass', 'right-password']);

/** Asserts `promise` rejects with a start-up error and returns its message. */
async function startupFailure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail('connectRedis resolved'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SessionStartupError, `a SessionStartupError, got ${String(error)}`);
  assert.equal(error.code, 'ERR_SESSION_STORE_STARTUP');
  assert.equal(error.store, 'redis');
  return error.message;
}

const clusterOptions = (url: string) => ({
  rootNodes: [{ url }],
  defaults: { socket: { connectTimeout: 200, reconnectStrategy: false as const } },
});
const clientOptions = (url: string) => createRedisClientOptions({ url, connectTimeoutMs: 200, maxDelayMs: 100 });
const sentinelOptions = (port: number) => ({ name: 'mymaster', sentinelRootNodes: [{ host: '127.0.0.1', port }] });
const majors = [
  {
    major: 'v5',
    client: (url: string) => redis5.createClient(clientOptions(url)),
    cluster: (url: string) => redis5.createCluster(clusterOptions(url)),
    sentinel: (port: number) => redis5.createSentinel(sentinelOptions(port)),
  },
  {
    major: 'v6',
    client: (url: string) => redis6.createClient(clientOptions(url)),
    cluster: (url: string) => redis6.createCluster(clusterOptions(url)),
    sentinel: (port: number) => redis6.createSentinel(sentinelOptions(port)),
  },
];

for (const { major, client, cluster: createCluster, sentinel: createSentinel } of majors) {
  describe(`connectRedis with node-redis ${major}`, () => {
    it('a closed port fails within the bound with the URL, its password hidden, and what to check; the client is destroyed', async () => {
      const port = await freePort();
      const closed = client(`redis://:hunter2@127.0.0.1:${port}`);
      const message = await startupFailure(connectRedis(closed, { timeoutMs: 400 }));
      assert.match(message, new RegExp(`Could not connect to Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port} within 400 ms`));
      assert.match(message, /ECONNREFUSED/);
      assert.doesNotMatch(message, /hunter2/);
      assert.match(message, /Redis is running/);
      assert.match(message, /REDIS_URL/);
      assert.match(message, /rediss:\/\//);
      assert.match(message, /firewall/);
      assert.equal(closed.isOpen, false, 'the client no longer retries');
    });

    it('a server that accepts and never answers fails within the bound, suggesting rediss:// and a wrong service', async () => {
      const hung = client(`redis://127.0.0.1:${silentPort}`);
      const message = await startupFailure(connectRedis(hung, { timeoutMs: 400 }));
      assert.match(message, new RegExp(`127\\.0\\.0\\.1:${silentPort}`));
      assert.match(message, /but no Redis answer came within 400 ms/);
      assert.match(message, /rediss:\/\//);
      assert.equal(hung.isOpen, false);
    });

    it('a wrong password fails at once with what to fix, whatever the bound', async () => {
      const url = new URL(protectedRedis.url);
      url.password = 'wrong-password';
      const wrong = client(url.toString());
      // A minute-long bound: the message below is only produced by the immediate failure.
      const message = await startupFailure(connectRedis(wrong, { timeoutMs: 60_000 }));
      assert.match(message, new RegExp(`Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${protectedRedis.port} refused the credentials`));
      assert.match(message, /WRONGPASS/);
      assert.match(message, /password in REDIS_URL/);
      assert.doesNotMatch(message, /wrong-password/);
      assert.equal(wrong.isOpen, false);
    });

    it('a reachable Redis resolves with the same client, connected', async () => {
      const ok = client(REDIS_URL);
      const connected = await connectRedis(ok);
      after(() => void connected.destroy());
      assert.equal(connected, ok);
      assert.equal(connected.isReady, true);
      assert.equal(await connected.ping(), 'PONG');
      assert.equal(connected.listenerCount('error'), 0, 'its temporary error listener is gone');
      assert.equal(await connectRedis(connected), connected, 'a connected client is returned as is');
    });

    it('a cluster whose seeds are unreachable fails naming the seeds', async () => {
      const port = await freePort();
      const cluster = createCluster(`redis://:hunter2@127.0.0.1:${port}`);
      const message = await startupFailure(connectRedis(cluster, { timeoutMs: 2000 }));
      assert.match(message, new RegExp(`Redis at the cluster seeds redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
      assert.match(message, /ECONNREFUSED/);
      assert.doesNotMatch(message, /hunter2/);
    });

    it('a Sentinel client whose sentinels are unreachable fails within the bound', async () => {
      const sentinel = createSentinel(await freePort());
      const message = await startupFailure(connectRedis(sentinel, { timeoutMs: 1000 }));
      assert.match(message, /Could not connect to Redis at the Sentinel-managed master within 1000 ms \(last error: .*ECONNREFUSED/);
      assert.match(message, /REDIS_URL/);
      await eventually('the Sentinel client is destroyed', () => !sentinel.isOpen);
    });
  });
}

describe('connectRedis options', () => {
  it('defaults to a 10 s bound and refuses a bound that is not a positive integer', () => {
    assert.equal(DEFAULT_CONNECT_TIMEOUT_MS, 10_000);
    const unconnected = redis5.createClient();
    for (const timeoutMs of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
      assert.throws(
        () => connectRedis(unconnected, { timeoutMs }),
        (error: unknown) => {
          assert.ok(error instanceof SessionConfigError);
          assert.match(error.message, /connectRedis: `timeoutMs` must be an integer number of milliseconds/);
          return true;
        },
      );
    }
    assert.equal(unconnected.isOpen, false);
  });
});
