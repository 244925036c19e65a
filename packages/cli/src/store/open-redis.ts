/**
 * Opens a Redis store (standalone, Cluster or Sentinel) from a parsed URL, with the client
 * settings `@coatcheck/redis` recommends. Internal.
 *
 * @module
 */
import type { OpenedStore } from './open-store.js';
import type { StoreSelection } from './store-options.js';
import type { StoreSpec } from './store-url.js';
import { loadPackage } from '../load-package.js';

type RedisSpec = Extract<StoreSpec, { kind: 'redis' }>;

const INSTALL = ['@coatcheck/redis', 'redis'];

/** A node-redis client for the spec, not yet connected. */
async function createRedis(spec: RedisSpec, connectTimeoutMs: number) {
  const redis = await loadPackage('redis', INSTALL, () => import('redis'), 'a redis:// store');
  const { createRedisClientOptions } = await loadPackage('@coatcheck/redis', INSTALL, () => import('@coatcheck/redis'), 'a redis:// store');
  const defaults = createRedisClientOptions({ connectTimeoutMs: Math.min(connectTimeoutMs, 2000) });
  if (spec.mode === 'standalone') return redis.createClient({ ...defaults, url: spec.url });
  if (spec.mode === 'cluster') return redis.createCluster({ rootNodes: spec.urls.map((url) => ({ url })), defaults });
  const auth = { ...(spec.username !== undefined ? { username: spec.username } : {}), ...(spec.password !== undefined ? { password: spec.password } : {}) };
  return redis.createSentinel({ name: spec.masterName, sentinelRootNodes: [...spec.sentinels], nodeClientOptions: { ...defaults, ...auth } });
}

/** Opens a Redis store; `withBus` also creates the app's bus on the same client. */
export async function openRedis(selection: StoreSelection, spec: RedisSpec, withBus: boolean): Promise<OpenedStore> {
  const pkg = await loadPackage('@coatcheck/redis', INSTALL, () => import('@coatcheck/redis'), 'a redis:// store');
  const client = await createRedis(spec, selection.timeoutMs);
  client.on('error', () => {});
  await pkg.connectRedis(client, { timeoutMs: selection.timeoutMs });
  const prefix = selection.prefix;
  const scanOptions = prefix ? { prefix } : {};
  // checkConfig off: `doctor` reports the eviction policy as a finding, not a process warning.
  const store = pkg.redisStore({ client, ...scanOptions, checkConfig: false, opTimeoutMs: selection.timeoutMs });
  const bus = withBus ? pkg.redisBus({ client, ...scanOptions }) : null;
  return {
    kind: 'redis',
    display: spec.display,
    store,
    bus,
    scan: () => pkg.scanRedisSessions(client, scanOptions),
    scanIndexes: () => pkg.scanRedisUserIndexes(client, scanOptions),
    async measure() {
      return { bytes: null, what: 'unknown: Redis cannot size a prefix cheaply (see doctor for server memory)' };
    },
    async serverTime() {
      // TIME has no key: a Cluster client sends it to any node, which is what a clock check wants.
      return timeOf(await (client as unknown as { time(): Promise<unknown> }).time());
    },
    handles: { redis: client },
    async close() {
      await bus?.close();
      await store.close();
      client.destroy();
    },
  };
}

/** `TIME` answers [seconds, microseconds]. */
function timeOf(reply: unknown): number | null {
  if (!Array.isArray(reply) || reply.length < 2) return null;
  return Number(reply[0]) * 1000 + Math.floor(Number(reply[1]) / 1000);
}
