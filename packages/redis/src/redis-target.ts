/**
 * Where a node-redis, ioredis or iovalkey client points, as a URL with its password hidden,
 * for start-up error messages. Internal.
 *
 * @module
 */
import { redactUrl } from 'coatcheck/store-kit';

/** The parts of a client's `options` that say where it connects; all optional. */
interface TargetOptions {
  url?: unknown;
  socket?: { host?: unknown; port?: unknown; path?: unknown; tls?: unknown };
  rootNodes?: readonly TargetOptions[];
}

/** A client that may expose its options (standalone and cluster clients do; Sentinel does not). */
export interface DescribableRedisClient {
  readonly options?: unknown;
}

function describeNode(options: TargetOptions | undefined): string {
  if (typeof options?.url === 'string') return redactUrl(options.url);
  const socket = options?.socket;
  if (typeof socket?.path === 'string') return `unix:${socket.path}`;
  const scheme = socket?.tls === true ? 'rediss' : 'redis';
  const host = typeof socket?.host === 'string' ? socket.host : 'localhost';
  const port = typeof socket?.port === 'number' ? socket.port : 6379;
  return `${scheme}://${host}:${port}`;
}

/** How a Sentinel client (whose options are private) is named in messages. */
export const SENTINEL_TARGET = 'the Sentinel-managed master';

/** An ioredis client's options (parsed from its URL, so no password to hide), or a cluster's seeds. */
interface IoredisTarget {
  readonly options?: { host?: unknown; port?: unknown; path?: unknown; tls?: unknown; sentinels?: unknown };
  readonly startupNodes?: readonly unknown[];
}

function describeIoredisNode(node: unknown): string {
  if (typeof node === 'string') return node.includes('://') ? redactUrl(node) : `redis://${node}`;
  if (typeof node === 'number') return `redis://localhost:${node}`;
  const { host, port } = (node ?? {}) as { host?: unknown; port?: unknown };
  return `redis://${typeof host === 'string' ? host : 'localhost'}:${typeof port === 'number' ? port : 6379}`;
}

/** {@link describeRedisTarget} for an ioredis or iovalkey client or cluster. */
export function describeIoredisTarget(client: IoredisTarget): string {
  if (Array.isArray(client.startupNodes)) return `the cluster seeds ${client.startupNodes.map(describeIoredisNode).join(', ')}`;
  const { host, port, path, tls, sentinels } = client.options ?? {};
  if (Array.isArray(sentinels)) return SENTINEL_TARGET;
  if (typeof path === 'string') return `unix:${path}`;
  const scheme = tls ? 'rediss' : 'redis';
  return `${scheme}://${typeof host === 'string' ? host : 'localhost'}:${typeof port === 'number' ? port : 6379}`;
}

/** The client's target for messages: its URL, a cluster's seed nodes, or {@link SENTINEL_TARGET}. */
export function describeRedisTarget(client: DescribableRedisClient): string {
  // A cluster keeps its options in `_options` (no public getter in v5 or v6).
  const options = (client.options ?? (client as { _options?: unknown })._options) as TargetOptions | undefined;
  if (options === undefined || options === null || typeof options !== 'object') return SENTINEL_TARGET;
  if (Array.isArray(options.rootNodes)) return `the cluster seeds ${options.rootNodes.map(describeNode).join(', ')}`;
  return describeNode(options);
}
