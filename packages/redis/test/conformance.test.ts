// SF-01: the Redis store passes the shared store contract on a standalone Redis (REDIS_URL),
// under a prefix unique to this run; its keys are removed with SCAN afterwards.
import { describeStoreConformance } from '@coatcheck/conformance';
import { redisStore } from '@coatcheck/redis';
import { REDIS_URL, connectClient, uniquePrefix } from './fixtures/clients.js';
import { CLIENT_KIND, connectAny } from './fixtures/client-kind.js';

const prefix = uniquePrefix('conformance');
// The store runs on the client kind under test; node-redis removes the keys afterwards.
await connectClient(undefined, { cleanupPrefix: prefix });
const client = await connectAny(REDIS_URL);

// One store per test on one shared client, as an app would have it; close() leaves the client.
describeStoreConformance(`redisStore (standalone, ${CLIENT_KIND})`, () => redisStore({ client, prefix, checkConfig: false }), {
  nativeExpiry: true,
  // Another store on the same client and prefix is what an instance restart gives.
  restart: () => redisStore({ client, prefix, checkConfig: false }),
});
