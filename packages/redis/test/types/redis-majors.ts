/**
 * Type test, checked by `npm run typecheck` and never run: every client kind of node-redis v5
 * and v6, ioredis and iovalkey fits the store, the bus and the config check. The peer range is `^5.0.0 || ^6.0.0`
 * and the package's client types are structural, so a change in either major's client types
 * shows up here rather than in a user's build.
 */
import * as redis5 from 'redis';
import * as redis6 from 'redis6';
import * as ioredis from 'ioredis';
import * as iovalkey from 'iovalkey';
import {
  checkRedisConfig,
  createIoredisOptions,
  createRedisClientOptions,
  redisBus,
  redisStore,
  type IoredisClientLike,
  type RedisBusClient,
} from '@coatcheck/redis';

const url = 'redis://127.0.0.1:6379';
const rootNodes = [{ url: 'redis://127.0.0.1:7000' }];
const sentinelRootNodes = [{ host: '127.0.0.1', port: 26379 }];

/** Hands one client to everything in the package that accepts a client. */
function acceptClient(client: RedisBusClient | IoredisClientLike): void {
  redisStore({ client });
  redisBus({ client });
  void checkRedisConfig(client);
}

/** node-redis v5: standalone, Cluster and Sentinel clients. */
export function acceptRedis5Clients(): void {
  acceptClient(redis5.createClient(createRedisClientOptions({ url })));
  acceptClient(redis5.createCluster({ rootNodes }));
  acceptClient(redis5.createSentinel({ name: 'mymaster', sentinelRootNodes }));
}

/** node-redis v6: the same three kinds. */
export function acceptRedis6Clients(): void {
  acceptClient(redis6.createClient(createRedisClientOptions({ url })));
  acceptClient(redis6.createCluster({ rootNodes }));
  acceptClient(redis6.createSentinel({ name: 'mymaster', sentinelRootNodes }));
}

/** ioredis: standalone, Sentinel-managed and Cluster clients. */
export function acceptIoredisClients(): void {
  acceptClient(new ioredis.Redis(url, createIoredisOptions()));
  acceptClient(new ioredis.Redis({ sentinels: sentinelRootNodes, name: 'mymaster', ...createIoredisOptions() }));
  acceptClient(new ioredis.Cluster([{ host: '127.0.0.1', port: 7000 }], { redisOptions: createIoredisOptions() }));
}

/** iovalkey: the same three kinds. */
export function acceptIovalkeyClients(): void {
  acceptClient(new iovalkey.Redis(url, createIoredisOptions()));
  acceptClient(new iovalkey.Redis({ sentinels: sentinelRootNodes, name: 'mymaster', ...createIoredisOptions() }));
  acceptClient(new iovalkey.Cluster([{ host: '127.0.0.1', port: 7000 }], { redisOptions: createIoredisOptions() }));
}
