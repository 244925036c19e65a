/**
 * The one small client interface the store, bus, history, rate limit, scan, prune and config
 * check use, and which client it is built for. Internal.
 *
 * Users pass their own client (node-redis v5 or v6, ioredis, iovalkey); {@link adaptClient}
 * recognises it by shape and wraps it once, at construction, in a plain object of commands
 * with the arguments this package needs (`node-redis-ops.ts`, `ioredis-ops.ts`). Each command
 * is one call through to the client: no object or closure is created per call beyond what the
 * client's own API needs, so the read path (one `GET`) costs what it cost on node-redis alone.
 *
 * @module
 */
import { SessionConfigError } from 'coatcheck/errors';
import { isIoredis } from './ioredis-types.js';
import { ioredisOps } from './ioredis-ops.js';
import { nodeRedisOps } from './node-redis-ops.js';

/** The commands of one connection (the client, or a dedicated connection of the store's). */
export interface CommandOps {
  get(key: string): Promise<unknown>;
  /** `SET key value NX PXAT pxat`: `null` when the key exists. */
  setIfAbsent(key: string, value: string, pxat: number): Promise<unknown>;
  getDel(key: string): Promise<unknown>;
  del(key: string): Promise<unknown>;
  /** The whole sorted set (`ZRANGE key 0 -1`). */
  zMembers(key: string): Promise<unknown>;
  /** The whole list (`LRANGE key 0 -1`). */
  lMembers(key: string): Promise<unknown>;
  evalSha(sha1: string, key: string, args: string[]): Promise<unknown>;
  eval(source: string, key: string, args: string[]): Promise<unknown>;
  ping(): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  sPublish(channel: string, message: string): Promise<unknown>;
}

/** A dedicated connection's commands, with `WAIT` (`waitForReplicas`). */
export interface WaitOps extends CommandOps {
  wait(replicas: number, timeoutMs: number): Promise<unknown>;
}

/** A connection of the store's own, opened for `waitForReplicas`. */
export interface DedicatedConnection {
  readonly ops: WaitOps;
  readonly isOpen: boolean;
  readonly isReady: boolean;
  onError(listener: (error: unknown) => void): void;
  connect(): Promise<unknown>;
  /** Closes after the replies in flight. */
  close(): Promise<unknown>;
  /** Closes at once. */
  destroy(): void;
}

/** Where `waitForReplicas` gets its connections. */
export interface ReplicaSource {
  open(): Promise<DedicatedConnection>;
  /** Calls `onChange` when the client reports a new master; returns how to stop. */
  watchMaster?(onChange: () => void): () => void;
}

/** One server to `SCAN` or read the configuration of: the server, or a Cluster master. */
export interface RedisNode {
  /** `host:port` of a Cluster master, or `'server'`. */
  readonly name: string;
  /** False for a client without `scan()` (a Sentinel client): `prune` then skips it. */
  readonly canScan: boolean;
  scan(cursor: string, match: string, count: number): Promise<{ cursor: string; keys: string[] }>;
  /** The raw `CONFIG GET` reply (an object, a Map or a flat array). */
  configGet(parameter: string): Promise<unknown>;
}

/** What the bus's subscription needs; see `subscriber.ts`. */
export interface SubscriberInit {
  readonly channel: string;
  readonly sharded: boolean;
  /** Receives the message text; must never throw. */
  readonly receive: (message: string) => void;
  /** The connection failed, is reconnecting or ended: messages may be lost from now on. */
  readonly onDown: () => void;
  /** The connection is ready again, and the client resubscribed before it said so. */
  readonly onReady: () => void;
  readonly onError: (error: unknown) => void;
}

/** An established subscription. */
export interface Subscription {
  /** Ends it; never throws. */
  close(): void;
}

/** A user's client, adapted. */
export interface RedisOps extends CommandOps {
  readonly driver: 'node-redis' | 'ioredis';
  readonly topology: 'standalone' | 'cluster' | 'sentinel';
  /** The client itself, for its `'error'` listener. */
  readonly events: { on(event: string, listener: (...args: any[]) => void): unknown; listenerCount(event: string): number };
  /** Whether the bus can use sharded pub/sub on this client. */
  readonly canShard: boolean;
  /** The bus's default for `sharded`. */
  readonly shardByDefault: boolean;
  /** The servers to walk: every master of a Cluster (as the client knows them now), or the one server. */
  nodes(): RedisNode[];
  /** `null` where `waitForReplicas` is not available (a Cluster). */
  readonly replicas: ReplicaSource | null;
  subscribe(init: SubscriberInit): Promise<Subscription>;
}

/** The clients this package accepts, for error messages. */
const SUPPORTED_CLIENTS =
  'node-redis v5 or v6 (createClient(), createCluster(), createSentinel()) or ioredis / iovalkey (new Redis(), new Redis.Cluster(), new Redis({ sentinels, name }))';

function isNodeRedis(client: unknown): boolean {
  const candidate = client as Partial<Record<'get' | 'evalSha' | 'on', unknown>> | null;
  return (
    candidate !== null &&
    typeof candidate === 'object' &&
    typeof candidate.get === 'function' &&
    typeof candidate.evalSha === 'function' &&
    typeof candidate.on === 'function'
  );
}

/** Recognises the client and wraps it; throws `SessionConfigError` naming the supported clients. */
export function adaptClient(client: unknown, owner: string): RedisOps {
  if (isNodeRedis(client)) return nodeRedisOps(client as never);
  if (isIoredis(client)) {
    // ioredis would prefix the keys of commands and scripts but not SCAN's MATCH, the keys SCAN
    // returns or pub/sub channels: prune, the scan tools and the bus would miss or double them.
    const { keyPrefix, redisOptions } = client.options as { keyPrefix?: unknown; redisOptions?: { keyPrefix?: unknown } };
    if (keyPrefix || redisOptions?.keyPrefix) {
      throw new SessionConfigError(
        `${owner}: the ioredis \`keyPrefix\` option is not supported; drop it and pass the prefix as coatcheck's \`prefix\` option.`,
      );
    }
    return ioredisOps(client);
  }
  throw new SessionConfigError(`${owner}: \`client\` must be a connected Redis client: ${SUPPORTED_CLIENTS}.`);
}
