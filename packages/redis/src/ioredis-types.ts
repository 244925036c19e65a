/**
 * The slice of an ioredis (v5, v6) or iovalkey client this package uses, typed structurally
 * so neither has to be installed for node-redis users, and so both fit: iovalkey is a fork of
 * ioredis with the same API. Exported from `@coatcheck/redis` (types only).
 *
 * A standalone client (`new Redis(url)`), a Sentinel-managed one (`new Redis({ sentinels,
 * name })`) and a cluster (`new Redis.Cluster(nodes)`) all fit. Commands are lowercase
 * variadic methods there (`evalsha(sha, numKeys, ...keys, ...args)`), so they are typed
 * loosely: the adapter (`ioredis-ops.ts`) is the one place that calls them.
 *
 * @module
 */

/** An ioredis command method: positional arguments, a promise of the reply. */
type IoredisCommand = (...args: any[]) => Promise<unknown>;

/** Commands and events that an ioredis client and cluster share. */
export interface IoredisCommandClient {
  /** `'wait'`, `'connecting'`, `'connect'`, `'ready'`, `'close'`, `'reconnecting'` or `'end'`. */
  readonly status: string;
  /** `true` for `new Redis.Cluster()`, `false` for `new Redis()`. */
  readonly isCluster: boolean;
  readonly options: object;
  get: IoredisCommand;
  set: IoredisCommand;
  getdel: IoredisCommand;
  del: IoredisCommand;
  zrange: IoredisCommand;
  lrange: IoredisCommand;
  evalsha: IoredisCommand;
  eval: IoredisCommand;
  ping: IoredisCommand;
  publish: IoredisCommand;
  spublish: IoredisCommand;
  subscribe: IoredisCommand;
  ssubscribe: IoredisCommand;
  connect(): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): unknown;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  listenerCount(event: string): number;
}

/** `new Redis()` of ioredis or iovalkey (standalone or Sentinel-managed). */
export interface IoredisClient extends IoredisCommandClient {
  wait: IoredisCommand;
  scan: IoredisCommand;
  config: IoredisCommand;
  duplicate(override?: object): IoredisClient;
}

/** `new Redis.Cluster()` of ioredis or iovalkey. */
export interface IoredisClusterClient extends IoredisCommandClient {
  nodes(role?: 'all' | 'master' | 'slave'): IoredisClient[];
  duplicate(overrideStartupNodes?: any[], overrideOptions?: object): IoredisClusterClient;
}

/** Any ioredis or iovalkey client the store and bus accept. */
export type IoredisClientLike = IoredisClient | IoredisClusterClient;

/** True for an ioredis or iovalkey client or cluster (as opposed to node-redis). */
export function isIoredis(client: unknown): client is IoredisClientLike {
  const candidate = client as Partial<IoredisCommandClient> | null;
  return (
    candidate !== null &&
    typeof candidate === 'object' &&
    typeof candidate.evalsha === 'function' &&
    typeof candidate.status === 'string' &&
    typeof candidate.isCluster === 'boolean' &&
    typeof candidate.on === 'function'
  );
}
