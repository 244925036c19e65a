/**
 * The slice of a node-redis v5 or v6 client this package uses, typed structurally so a standalone
 * client (`createClient`), a cluster (`createCluster`) and a Sentinel client (`createSentinel`)
 * all fit without this package importing node-redis at run time. Exported from
 * `@coatcheck/redis` (types only).
 *
 * Only typed command methods are used: each of the three client kinds routes them itself
 * (the cluster by the first key, Sentinel to the current master), while their `sendCommand`
 * signatures differ. ioredis and iovalkey clients are typed in `ioredis-types.ts`.
 *
 * @module
 */
import type { IoredisClientLike } from './ioredis-types.js';

/** Options of `SET` that the store uses. */
interface SetCommandOptions {
  condition?: 'NX';
  expiration?: { type: 'PXAT'; value: number };
}

/** Keys and arguments of `EVAL` / `EVALSHA`. */
interface ScriptCallOptions {
  keys: string[];
  arguments: string[];
}

/** Commands and events every client kind shares. */
export interface RedisCommandClient {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options?: SetCommandOptions): Promise<unknown>;
  getDel(key: string): Promise<unknown>;
  del(keys: string | string[]): Promise<unknown>;
  zRange(key: string, start: number, stop: number): Promise<unknown>;
  zRem(key: string, members: string | string[]): Promise<unknown>;
  lRange(key: string, start: number, stop: number): Promise<unknown>;
  evalSha(sha1: string, options: ScriptCallOptions): Promise<unknown>;
  eval(script: string, options: ScriptCallOptions): Promise<unknown>;
  ping(): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  sPublish(channel: string, message: string): Promise<unknown>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  listenerCount(event: string): number;
}

/** Receives a pub/sub message (node-redis passes the message first, then the channel). */
type PubSubMessageListener = (message: string, channel: string) => void;

/** The subscriber connection of the bus: a `duplicate()` of the client it was given. */
export interface RedisPubSubClient {
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: PubSubMessageListener): Promise<unknown>;
  sSubscribe(channel: string, listener: PubSubMessageListener): Promise<unknown>;
  destroy(): unknown;
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/**
 * A client the bus can publish on and subscribe with: it duplicates a standalone or Cluster
 * client for its subscriber; a Sentinel client (no `duplicate`) subscribes on its own
 * dedicated pub/sub connection.
 */
export interface RedisBusClient extends RedisCommandClient {
  duplicate?(): RedisPubSubClient;
  subscribe(channel: string, listener: PubSubMessageListener): Promise<unknown>;
  sSubscribe(channel: string, listener: PubSubMessageListener): Promise<unknown>;
  // node-redis types the listener of unsubscribe as taking strings or Buffers.
  unsubscribe(channel: string, listener: (message: any, channel: any) => unknown): Promise<unknown>;
  sUnsubscribe(channel: string, listener: (message: any, channel: any) => unknown): Promise<unknown>;
}

/** A standalone connection: what `createClient()` returns, and what a cluster node is. */
export interface RedisStandaloneClient extends RedisCommandClient {
  configGet(parameters: string): Promise<unknown>;
  scan(cursor: string, options: { MATCH: string; COUNT: number }): Promise<{ cursor: string; keys: string[] }>;
}

/** A cluster node as `cluster.masters` lists it. */
interface RedisClusterNode {
  readonly host: string;
  readonly port: number;
}

/** What `createCluster()` returns. */
export interface RedisClusterClient extends RedisCommandClient {
  readonly masters: readonly RedisClusterNode[];
  nodeClient(node: any): Promise<RedisStandaloneClient>;
}

/**
 * A connection that can confirm its writes with `WAIT`: a `duplicate()` of a standalone
 * client or of a Sentinel client's master connection.
 */
interface RedisWaitConnection extends RedisCommandClient {
  wait(replicas: number, timeoutMs: number): Promise<unknown>;
}

/** A connection of the store's own, as `duplicate()` returns it. */
export interface RedisDedicatedConnection extends RedisWaitConnection {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): unknown;
}

/** A client that can open a second connection like itself (`createClient()`, a master connection). */
export interface RedisDuplicableClient extends RedisCommandClient {
  duplicate(): RedisDedicatedConnection;
}

/**
 * What `createSentinel()` returns, seen from `_execute()`: it runs a function with the
 * client's current master connection, which the store duplicates.
 */
export interface RedisSentinelLike extends RedisCommandClient {
  _execute<T>(isReadonly: boolean | undefined, fn: (master: RedisDuplicableClient) => Promise<T>): Promise<T>;
}

/**
 * Any client the store, bus and tools accept, connected: node-redis v5 or v6 (`createClient()`,
 * `createCluster()`, `createSentinel()`), or ioredis / iovalkey (`new Redis()`,
 * `new Redis.Cluster()`, `new Redis({ sentinels, name })`).
 */
export type RedisClientLike = RedisStandaloneClient | RedisClusterClient | RedisCommandClient | IoredisClientLike;

/** True for a node-redis `createCluster()` client: it routes by slot and lists its masters. */
export function isCluster(client: RedisCommandClient): client is RedisClusterClient {
  const candidate = client as Partial<RedisClusterClient>;
  return typeof candidate.nodeClient === 'function' && Array.isArray(candidate.masters);
}
