// (cx-redis) Express 5 + @coatcheck/express + redisStore: compare with (d), express-session +
// connect-redis on the same Redis and client settings. No local cache: every request reads
// Redis, as connect-redis does.
import { redisStore } from '@coatcheck/redis';
import { startExpressCoatcheckServer } from './cx-app.mjs';
import { connectRedis, prefix } from './redis-client.mjs';

await startExpressCoatcheckServer(redisStore({ client: await connectRedis(), prefix, checkConfig: false }));
