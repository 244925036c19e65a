// (cc-redis / cc-redis-cache) Fastify + @coatcheck/fastify + redisStore. CACHE=1 adds the
// redis bus and the revocation-aware local cache: hot reads are served without a round trip.
import { redisBus, redisStore } from '@coatcheck/redis';
import { startCoatcheckServer } from './cc-app.mjs';
import { connectRedis, prefix } from './redis-client.mjs';

const client = await connectRedis();
const store = redisStore({ client, prefix, checkConfig: false });
const bus = process.env.CACHE === '1' ? redisBus({ client, prefix }) : undefined;
const app = await startCoatcheckServer(store, bus ? { bus, cache: true } : {});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    await app.close();
    await bus?.close();
    await store.close();
    await client.close();
    process.exit(0);
  });
}
