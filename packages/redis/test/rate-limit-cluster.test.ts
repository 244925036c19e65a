// The Redis rate-limit backend on a Redis Cluster (3 masters + 3 replicas): each key is one
// script call on one slot, so the contract holds however the keys spread over the masters.
import { describeRateLimitConformance } from '@coatcheck/conformance';
import { redisRateLimit } from '@coatcheck/redis';
import { useRedisCluster } from './fixtures/redis-cluster.js';
import { uniquePrefix } from './fixtures/clients.js';

const cluster = await useRedisCluster();
const clients = [await cluster.connect(), await cluster.connect()];
const prefix = uniquePrefix('cluster-ratelimit');
let next = 0;
const open = () => redisRateLimit({ client: clients[next++ % clients.length]!, prefix });

describeRateLimitConformance('redisRateLimit (Cluster)', open, {
  ttlOf: async (key) => {
    const ms = await clients[0]!.pTTL(open().keyOf(key));
    return ms < 0 ? null : ms;
  },
});
