// Shared by the Redis variants: one node-redis v5 client with the settings coatcheck
// recommends (RESP2, no offline queue; createRedisClientOptions), identical for every variant
// so only the session layer differs, and the per-run key prefix the runner hands out (BENCH_PREFIX),
// so the runner can count and delete exactly the keys a run created.
import { createClient } from 'redis';

export const prefix = process.env.BENCH_PREFIX ?? `bench:${process.pid}:`;

export async function connectRedis() {
  const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', RESP: 2, disableOfflineQueue: true });
  client.on('error', (error) => console.error('redis error', error.message));
  await client.connect();
  return client;
}

/** connect-redis 9 on the shared client settings: the store of the peer variants d and f. */
export async function connectRedisSessionStore() {
  const { RedisStore } = await import('connect-redis');
  return new RedisStore({ client: await connectRedis(), prefix });
}
