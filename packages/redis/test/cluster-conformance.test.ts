// SF-01 on a Redis Cluster: the store contract holds on 3 masters + 3 replicas, where session
// keys and user indexes live in different slots (no multi-key command may span them).
import { describeStoreConformance } from '@coatcheck/conformance';
import { redisStore } from '@coatcheck/redis';
import { useRedisCluster } from './fixtures/redis-cluster.js';
import { uniquePrefix } from './fixtures/clients.js';
import { CLIENT_KIND, connectAnyCluster } from './fixtures/client-kind.js';

const cluster = await useRedisCluster();
const client = await connectAnyCluster(cluster.nodes.map((node) => node.url));
const prefix = uniquePrefix('cluster');

describeStoreConformance(`redisStore (Cluster, ${CLIENT_KIND})`, () => redisStore({ client, prefix, checkConfig: false }), {
  nativeExpiry: true,
  // Another store on the same client and prefix is what an instance restart gives.
  restart: () => redisStore({ client, prefix, checkConfig: false }),
});
