/**
 * {@link RedisOps} for ioredis (v5, v6) and iovalkey: `new Redis()`, `new Redis({ sentinels,
 * name })` and `new Redis.Cluster()`. Internal.
 *
 * Differences from node-redis handled here: lowercase variadic commands (`evalsha(sha,
 * numKeys, ...keys, ...args)`), `SCAN` replying `[cursor, keys]`, `CONFIG GET` a flat array,
 * a `status` string instead of `isOpen`/`isReady`, and pub/sub delivered as `'message'` /
 * `'smessage'` events of the subscribed connection rather than per-channel callbacks. A
 * Sentinel-managed client asks its sentinels for the master on every (re)connect, so to this
 * package it is a standalone client that can be duplicated.
 *
 * @module
 */
import type { IoredisClient, IoredisClientLike, IoredisClusterClient, IoredisCommandClient } from './ioredis-types.js';
import type { CommandOps, DedicatedConnection, RedisNode, RedisOps, SubscriberInit, Subscription, WaitOps } from './redis-ops.js';

/** The commands of one ioredis connection; created once per client, not per call. */
function commands(client: IoredisCommandClient): CommandOps {
  return {
    get: (key) => client.get(key),
    setIfAbsent: (key, value, pxat) => client.set(key, value, 'PXAT', pxat, 'NX'),
    getDel: (key) => client.getdel(key),
    del: (key) => client.del(key),
    zMembers: (key) => client.zrange(key, 0, -1),
    lMembers: (key) => client.lrange(key, 0, -1),
    evalSha: (sha1, key, args) => client.evalsha(sha1, 1, key, ...args),
    eval: (source, key, args) => client.eval(source, 1, key, ...args),
    ping: () => client.ping(),
    publish: (channel, message) => client.publish(channel, message),
    sPublish: (channel, message) => client.spublish(channel, message),
  };
}

function node(name: string, client: IoredisClient): RedisNode {
  return {
    name,
    canScan: true,
    async scan(cursor, match, count) {
      const [next, keys] = (await client.scan(cursor, 'MATCH', match, 'COUNT', count)) as [unknown, unknown[]];
      return { cursor: String(next), keys: keys.map(String) };
    },
    configGet: (parameter) => client.config('GET', parameter),
  };
}

function nodeName(client: IoredisClient): string {
  const { host, port } = client.options as { host?: unknown; port?: unknown };
  return `${String(host)}:${String(port)}`;
}

// Opened with lazyConnect so the lane decides when to connect, like a node-redis duplicate.
function dedicated(connection: IoredisClient): DedicatedConnection {
  const ops: WaitOps = { ...commands(connection), wait: (replicas, timeoutMs) => connection.wait(replicas, timeoutMs) };
  return {
    ops,
    get isOpen() {
      return connection.status !== 'wait' && connection.status !== 'end';
    },
    get isReady() {
      return connection.status === 'ready';
    },
    onError: (listener) => void connection.on('error', listener),
    connect: () => connection.connect(),
    close: () => connection.quit(),
    destroy: () => void connection.disconnect(),
  };
}

// ioredis resubscribes after it says 'ready', so 'ready' is no proof that messages flow
// again: the bus's probe is (onReady is not used).
const DOWN_EVENTS = ['error', 'close', 'reconnecting', 'end'];
const CLUSTER_DOWN_EVENTS = [...DOWN_EVENTS, 'node error', '-node'];

async function subscribe(client: IoredisClientLike, init: SubscriberInit): Promise<Subscription> {
  const { channel, sharded, receive, onDown, onError } = init;
  const subscriber: IoredisCommandClient = client.isCluster
    ? (client as IoredisClusterClient).duplicate([], { lazyConnect: true, ...(sharded ? { shardedSubscribers: true } : {}) })
    : (client as IoredisClient).duplicate({ lazyConnect: true });
  const close = (): void => {
    try {
      subscriber.disconnect();
    } catch {
      // already closed
    }
  };
  // Attached before connecting: an 'error' event without a listener would crash the process.
  subscriber.on('error', onError);
  subscriber.on(sharded ? 'smessage' : 'message', (from: unknown, message: unknown) => {
    if (String(from) === channel) receive(String(message));
  });
  try {
    await subscriber.connect();
    await (sharded ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel));
  } catch (error) {
    close();
    throw error;
  }
  for (const event of client.isCluster ? CLUSTER_DOWN_EVENTS : DOWN_EVENTS) subscriber.on(event, onDown);
  return { close };
}

/** Wraps an ioredis or iovalkey client. */
export function ioredisOps(client: IoredisClientLike): RedisOps {
  const cluster = client.isCluster;
  const options = client.options as { sentinels?: unknown; shardedSubscribers?: unknown };
  // Sharded pub/sub on a Cluster needs the `shardedSubscribers` option of recent ioredis (the
  // bus turns it on for its own duplicate; a release that has it lists it among the defaults).
  // iovalkey and older ioredis send SSUBSCRIBE to one node, which answers MOVED for other slots.
  const canShard = !cluster || 'shardedSubscribers' in options;
  return {
    ...commands(client),
    driver: 'ioredis',
    topology: cluster ? 'cluster' : Array.isArray(options.sentinels) ? 'sentinel' : 'standalone',
    events: client,
    canShard,
    shardByDefault: cluster && canShard,
    nodes() {
      if (!cluster) return [node('server', client as IoredisClient)];
      return (client as IoredisClusterClient).nodes('master').map((master) => node(nodeName(master), master));
    },
    replicas: cluster ? null : { open: async () => dedicated((client as IoredisClient).duplicate({ lazyConnect: true })) },
    subscribe: (init) => subscribe(client, init),
  };
}
