/**
 * {@link RedisOps} for node-redis v5 and v6: `createClient()`, `createCluster()` and
 * `createSentinel()`. Internal.
 *
 * Only typed command methods are used: each client kind routes them itself (the cluster by
 * the first key, Sentinel to the current master), while their `sendCommand` signatures differ.
 *
 * @module
 */
import {
  isCluster,
  type RedisClusterClient,
  type RedisCommandClient,
  type RedisDedicatedConnection,
  type RedisDuplicableClient,
  type RedisSentinelLike,
  type RedisStandaloneClient,
} from './client-types.js';
import type { CommandOps, DedicatedConnection, RedisNode, RedisOps, ReplicaSource, WaitOps } from './redis-ops.js';
import { startSubscriber } from './subscriber.js';

/** The commands of one node-redis connection; created once per client, not per call. */
function commands(client: RedisCommandClient): CommandOps {
  return {
    get: (key) => client.get(key),
    setIfAbsent: (key, value, pxat) => client.set(key, value, { condition: 'NX', expiration: { type: 'PXAT', value: pxat } }),
    getDel: (key) => client.getDel(key),
    del: (key) => client.del(key),
    zMembers: (key) => client.zRange(key, 0, -1),
    lMembers: (key) => client.lRange(key, 0, -1),
    evalSha: (sha1, key, args) => client.evalSha(sha1, { keys: [key], arguments: args }),
    eval: (source, key, args) => client.eval(source, { keys: [key], arguments: args }),
    ping: () => client.ping(),
    publish: (channel, message) => client.publish(channel, message),
    sPublish: (channel, message) => client.sPublish(channel, message),
  };
}

// A Cluster node's connection is looked up per call, so one unreachable master fails alone.
function node(name: string, canScan: boolean, open: () => Promise<Partial<RedisStandaloneClient>>): RedisNode {
  return {
    name,
    canScan,
    async scan(cursor, match, count) {
      const client = await open();
      if (typeof client.scan !== 'function') throw new TypeError('this Redis client has no scan()');
      const reply = await client.scan(cursor, { MATCH: match, COUNT: count });
      return { cursor: String(reply.cursor), keys: reply.keys.map(String) };
    },
    async configGet(parameter) {
      const client = await open();
      if (typeof client.configGet !== 'function') throw new TypeError('this client has no configGet()');
      return client.configGet(parameter);
    },
  };
}

function dedicated(connection: RedisDedicatedConnection): DedicatedConnection {
  const ops: WaitOps = { ...commands(connection), wait: (replicas, timeoutMs) => connection.wait(replicas, timeoutMs) };
  return {
    ops,
    get isOpen() {
      return connection.isOpen;
    },
    get isReady() {
      return connection.isReady;
    },
    onError: (listener) => void connection.on('error', listener),
    connect: () => connection.connect(),
    close: () => connection.close(),
    destroy: () => void connection.destroy(),
  };
}

// A Sentinel client has no duplicate(); its pool leases (acquire/use) cost a whole client
// object each and can be lost to concurrent commands. The store duplicates the current master
// connection instead, and drops it when the client reports a new master.
function sentinelReplicas(client: RedisSentinelLike): ReplicaSource {
  return {
    open: () => client._execute(false, async (master) => dedicated(master.duplicate())),
    watchMaster(onChange) {
      const onTopology = (event: { type?: unknown } | undefined): void => {
        if (event?.type === 'MASTER_CHANGE') onChange();
      };
      client.on('topology-change', onTopology);
      return () => void client.off('topology-change', onTopology);
    },
  };
}

/** Wraps a node-redis client. */
export function nodeRedisOps(client: RedisCommandClient): RedisOps {
  const cluster = isCluster(client);
  const duplicable = typeof (client as Partial<RedisDuplicableClient>).duplicate === 'function';
  const sentinel = !cluster && !duplicable && typeof (client as Partial<RedisSentinelLike>)._execute === 'function';
  let replicas: ReplicaSource | null = null;
  if (duplicable && !cluster) replicas = { open: async () => dedicated((client as RedisDuplicableClient).duplicate()) };
  else if (sentinel) replicas = sentinelReplicas(client as RedisSentinelLike);
  return {
    ...commands(client),
    driver: 'node-redis',
    topology: cluster ? 'cluster' : sentinel ? 'sentinel' : 'standalone',
    events: client,
    canShard: true,
    shardByDefault: cluster,
    nodes() {
      if (!cluster) return [node('server', typeof (client as Partial<RedisStandaloneClient>).scan === 'function', async () => client)];
      const { masters } = client as RedisClusterClient;
      return masters.map((master) => node(`${master.host}:${master.port}`, true, () => (client as RedisClusterClient).nodeClient(master)));
    },
    replicas,
    subscribe: (init) => startSubscriber(client as never, init),
  };
}
