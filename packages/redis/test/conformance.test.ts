// SF-01: the Redis store passes the shared store contract on a standalone Redis (REDIS_URL),
// under a prefix unique to this run; its keys are removed with SCAN afterwards.
import { describeStoreConformance } from '@coatcheck/conformance';
import { redisStore } from '@coatcheck/redis';
import { connectClient, uniquePrefix } from './fixtures/clients.js';

const prefix = uniquePrefix('conformance');
const client = await connectClient(undefined, { cleanupPrefix: prefix });

// One store per test on one shared client, as an app would have it; close() leaves the client.
describeStoreConformance('redisStore (standalone)', () => redisStore({ client, prefix, checkConfig: false }), {
  nativeExpiry: true,
  // Another store on the same client and prefix is what an instance restart gives.
  restart: () => redisStore({ client, prefix, checkConfig: false }),
});
