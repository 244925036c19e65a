// (cx-redis) Express 5 + @coatcheck/express + redisStore (node-redis v5): compare with
// (c-redis), express-session + connect-redis on the same Redis. No local cache: every
// request reads Redis, as connect-redis does. Keys under a per-process prefix.
import { createClient } from 'redis';
import { createRedisClientOptions, ensureErrorListener, redisStore } from '@coatcheck/redis';
import { startExpressCoatcheckServer } from './cx-app.mjs';

const client = createClient(createRedisClientOptions({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }));
ensureErrorListener(client, 'bench');
await client.connect();
await startExpressCoatcheckServer(redisStore({ client, prefix: `bench:cx:${process.pid}:` }));
