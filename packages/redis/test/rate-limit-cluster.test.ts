// The Redis rate-limit backend on a Redis Cluster (3 masters + 3 replicas): each key is one
// script call on one slot, so the contract holds however the keys spread over the masters.
import { describeRateLimitConformance } from '@coatcheck/conformance';
import { redisRateLimit } from '@coatcheck/redis';
import { useRedisCluster } from './fixtures/redis-cluster.js';
import { uniquePrefix } from './fixtures/clients.js';
import { connectAnyCluster } from './fixtures/client-kind.js';

const cluster = await useRedisCluster();
const urls = cluster.nodes.map((node) => node.url);
// The backends run on the client kind under test; PTTL is read with node-redis.
const clients = [await connectAnyCluster(urls), await connectAnyCluster(urls)];
const inspector = await cluster.connect();
const prefix = uniquePrefix('cluster-ratelimit');
let next = 0;
const open = () => redisRateLimit({ client: clients[next++ % clients.length]!, prefix });

describeRateLimitConformance('redisRateLimit (Cluster)', open, {
  ttlOf: async (key) => {
    const ms = await inspector.pTTL(open().keyOf(key));
    return ms < 0 ? null : ms;
  },
});
