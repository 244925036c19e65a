// (cc-redis / cc-redis-cache / cc-redis-ioredis / cc-redis-iovalkey) Fastify + @coatcheck/fastify
// + redisStore. CACHE=1 adds the redis bus and the revocation-aware local cache: hot reads are
// served without a round trip. REDIS_CLIENT=ioredis|iovalkey runs the same store on that client
// (with createIoredisOptions) instead of node-redis.
import { connectRedis as connectWithTimeout, createIoredisOptions, redisBus, redisStore } from '@coatcheck/redis';
import { startCoatcheckServer } from './cc-app.mjs';
import { connectRedis, prefix } from './redis-client.mjs';

async function connect() {
  const kind = process.env.REDIS_CLIENT;
  if (kind !== 'ioredis' && kind !== 'iovalkey') return { client: await connectRedis(), close: (c) => c.close() };
  const { default: Redis } = await import(kind);
  const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', createIoredisOptions());
  client.on('error', (error) => console.error('redis error', error.message));
  await connectWithTimeout(client);
  return { client, close: (c) => c.quit() };
}

const { client, close } = await connect();
const store = redisStore({ client, prefix, checkConfig: false });
const bus = process.env.CACHE === '1' ? redisBus({ client, prefix }) : undefined;
const app = await startCoatcheckServer(store, bus ? { bus, cache: true } : {});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    await app.close();
    await bus?.close();
    await store.close();
    await close(client);
    process.exit(0);
  });
}
