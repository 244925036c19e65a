// Construction: invalid options fail at start-up with ERR_SESSION_INVALID_OPTION; the
// recommended client options (fail fast offline, reconnect forever with backoff and jitter)
// work with createClient; a closed store refuses calls with a coatcheck error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createClient, createCluster, createSentinel } from 'redis';
import { isSessionError, SessionConfigError } from 'coatcheck';
import { buildRecord } from '@coatcheck/conformance';
import {
  backoffWithJitter,
  createRedisClientOptions,
  ensureErrorListener,
  redisBus,
  redisStore,
  CONFIG_UNCHECKED_WARNING,
  CONNECTION_ERROR_WARNING,
  CORRUPT_VALUE_WARNING,
  EVICTION_POLICY_WARNING,
  type RedisBusClient,
  type RedisStoreOptions,
} from '@coatcheck/redis';
import { REDIS_URL, connectClient, uniquePrefix } from './fixtures/clients.js';

const client = await connectClient();

const hasCode =
  (code: string) =>
  (error: unknown): boolean => {
    assert.ok(isSessionError(error), `expected a coatcheck error, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };

describe('redisStore options', () => {
  const invalid: [string, Partial<RedisStoreOptions>][] = [
    ['no client', {}],
    ['a client that is not node-redis', { client: { get() {} } as never }],
    ['a prefix with a glob character', { prefix: 'app:*' }],
    ['a zero opTimeoutMs', { opTimeoutMs: 0 }],
    ['a fractional maxInFlight', { maxInFlight: 1.5 }],
    ['an onCorrupt that is not a function', { onCorrupt: 'log' as never }],
    ['a checkConfig that is not a boolean', { checkConfig: 'yes' as never }],
    ['a waitForReplicas that is not an object', { waitForReplicas: true as never }],
    ['zero replicas to wait for', { waitForReplicas: { replicas: 0 } }],
    ['a fractional WAIT timeout', { waitForReplicas: { timeoutMs: 0.5 } }],
    ['a WAIT timeout not below opTimeoutMs', { opTimeoutMs: 500, waitForReplicas: { timeoutMs: 500 } }],
    [
      'waitForReplicas on a client that can neither duplicate nor lease a connection',
      {
        client: { get() {}, evalSha() {}, on() {}, listenerCount: () => 1 } as never,
        waitForReplicas: { replicas: 1 },
      },
    ],
  ];
  for (const [label, options] of invalid) {
    it(`rejects ${label} with ERR_SESSION_INVALID_OPTION`, () => {
      const withClient = 'client' in options || label === 'no client' ? options : { client, ...options };
      assert.throws(() => redisStore(withClient as RedisStoreOptions), hasCode('ERR_SESSION_INVALID_OPTION'));
    });
  }

  it('JW-17 waitForReplicas on a Cluster client is refused at start-up, with a message pointing to Postgres', () => {
    const cluster = createCluster({ rootNodes: [{ url: REDIS_URL }], defaults: createRedisClientOptions() });
    assert.throws(
      () => redisStore({ client: cluster, checkConfig: false, waitForReplicas: { replicas: 1 } }),
      (error: unknown) => {
        hasCode('ERR_SESSION_INVALID_OPTION')(error);
        assert.match((error as Error).message, /Cluster/);
        assert.match((error as Error).message, /Postgres/);
        return true;
      },
    );
    // Without the option the same client is accepted, as before.
    assert.equal(redisStore({ client: cluster, checkConfig: false }).name, 'redis');
  });

  it('rejects invalid bus options with ERR_SESSION_INVALID_OPTION', () => {
    assert.throws(() => redisBus({ client, prefix: 'a b' }), hasCode('ERR_SESSION_INVALID_OPTION'));
    assert.throws(() => redisBus({ client, probeIntervalMs: -1 }), hasCode('ERR_SESSION_INVALID_OPTION'));
    assert.throws(() => redisBus({ client: {} as never }), hasCode('ERR_SESSION_INVALID_OPTION'));
  });

  it('an object that is no supported Redis client is refused, naming the clients that are', () => {
    // Something with a get() and an on(), e.g. a Map-backed cache or a wrapper of a client.
    const lookalike = { get: async () => null, on: () => {}, status: 'ready' };
    for (const create of [() => redisStore({ client: lookalike as never }), () => redisBus({ client: lookalike as never })]) {
      assert.throws(create, (error: unknown) => {
        assert.ok(error instanceof SessionConfigError);
        assert.match(error.message, /node-redis v5 or v6 .*createClient\(\).* or ioredis \/ iovalkey .*new Redis\(\)/);
        return true;
      });
    }
  });

  it('a closed store rejects every call with ERR_SESSION_STORE_UNAVAILABLE and leaves the client open', async () => {
    const store = redisStore({ client, prefix: uniquePrefix('closed'), checkConfig: false });
    await store.close();
    await assert.rejects(store.get('x', Date.now()), hasCode('ERR_SESSION_STORE_UNAVAILABLE'));
    await assert.rejects(store.ping(), hasCode('ERR_SESSION_STORE_UNAVAILABLE'));
    assert.equal(client.isReady, true);
  });

  it('data JSON cannot represent is the caller’s TypeError, not a store outage', async () => {
    const store = redisStore({ client, prefix: uniquePrefix('types'), checkConfig: false });
    await assert.rejects(store.create(buildRecord({ data: { big: 10n } })), TypeError);
    await assert.rejects(store.create({ ...buildRecord(), expiresAt: Number.NaN }), TypeError);
    await assert.rejects(store.update({ ...buildRecord(), version: 0 }, 1, Date.now()), TypeError);
  });
});

describe('recommended client options', () => {
  it('backoffWithJitter grows exponentially, stays within [ceiling/2, ceiling], never exceeds maxDelayMs and never gives up', () => {
    const strategy = backoffWithJitter({ baseDelayMs: 100, maxDelayMs: 3000 });
    for (let retries = 0; retries < 200; retries++) {
      const ceiling = Math.min(3000, 100 * 2 ** retries);
      for (let sample = 0; sample < 20; sample++) {
        const delay = strategy(retries);
        assert.ok(delay >= ceiling / 2 - 1 && delay <= ceiling, `retry ${retries}: ${delay}`);
      }
    }
    const spread = new Set(Array.from({ length: 50 }, () => strategy(10)));
    assert.ok(spread.size > 10, 'jitter spreads reconnects out');
    assert.throws(() => backoffWithJitter({ baseDelayMs: 0 }), SessionConfigError);
  });

  it('createRedisClientOptions: RESP2, no offline queue, a reconnect strategy; createClient accepts it and commands fail fast while disconnected', async () => {
    const options = createRedisClientOptions({ url: REDIS_URL });
    assert.equal(options.RESP, 2);
    assert.equal(options.disableOfflineQueue, true);
    assert.equal(typeof options.socket.reconnectStrategy(3), 'number');
    const fresh = createClient(options);
    fresh.on('error', () => {});
    // Never connected: with the offline queue disabled the command fails at once.
    await assert.rejects(fresh.get('x'), /closed|offline/i);
    await fresh.connect();
    assert.equal(await fresh.ping(), 'PONG');
    fresh.destroy();
  });

  it('ensureErrorListener adds a listener only when there is none', () => {
    const fresh = createClient(createRedisClientOptions({ url: REDIS_URL }));
    assert.equal(ensureErrorListener(fresh, 'test'), true);
    assert.equal(ensureErrorListener(fresh, 'test'), false);
    assert.equal(fresh.listenerCount('error'), 1);
  });
});

describe('client kinds and documentation', () => {
  it('accepts standalone, Cluster and Sentinel clients built with the recommended options (type-checked, nothing connects)', () => {
    const cluster = createCluster({ rootNodes: [{ url: REDIS_URL }], defaults: createRedisClientOptions() });
    const sentinel = createSentinel({
      name: 'mymaster',
      sentinelRootNodes: [{ host: '127.0.0.1', port: 26379 }],
      nodeClientOptions: createRedisClientOptions(),
    });
    // Compile-time: each kind fits the bus's client type too.
    const busClients: RedisBusClient[] = [client, cluster, sentinel];
    for (const candidate of [cluster, sentinel]) {
      const store = redisStore({ client: candidate, checkConfig: false });
      assert.equal(store.name, 'redis');
      assert.equal(candidate.listenerCount('error'), 1, 'an error listener was attached');
    }
    assert.equal(busClients.length, 3);
  });

  it('docs/errors.md lists every warning code of this package, next to the function that emits it', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    for (const code of [CORRUPT_VALUE_WARNING, EVICTION_POLICY_WARNING, CONFIG_UNCHECKED_WARNING, CONNECTION_ERROR_WARNING]) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\``));
      assert.ok(row, `${code} is documented`);
      assert.match(row, /redis(Store|Bus)\(\)|checkRedisConfig/);
    }
  });
});
