// Which test files need a running service. The rule, in one place:
// - every `*.test.ts` / `*.test.mjs` under packages/, apps/ and scripts/ is a unit test (no Redis, Postgres or browser)
//   unless a path below lists it (a folder ending in `/`, or a file);
// - `npm run test:unit` runs the unit tests with scripts/test-support/unit-guard.mjs preloaded,
//   which fails the file loudly when it connects to Redis or Postgres or starts a Redis server,
//   Postgres or chromium. So a new test file cannot silently escape the unit set: it runs there
//   by default, and if it needs a service it fails until it is listed here.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Folders (ending in `/`) and files whose tests need Redis, Postgres, chromium or Debian's python3 libraries. */
export const SERVICE_TESTS = [
  'apps/shop/test/browser/',
  'apps/shop/test/clients/',
  'packages/cli/test/doctor-redis.test.ts',
  'packages/cli/test/postgres.test.ts',
  'packages/cli/test/redis-cluster.test.ts',
  'packages/cli/test/redis-sentinel.test.ts',
  'packages/cli/test/redis.test.ts',
  'packages/cli/test/reencrypt.test.ts',
  'packages/postgres/test/',
  'packages/redis/test/',
  'apps/shop/test/bearer-scale-out.test.ts',
  'apps/shop/test/cluster.test.ts',
  'apps/shop/test/realtime-scale-out.test.ts',
  'apps/shop/test/scale-out.test.ts',
  'apps/shop/test/redis-wait-replicas.test.ts',
  'packages/realtime/test/revocation.test.ts',
];

/**
 * The Redis suites that run on every supported client (`--redis-client=ioredis|iovalkey`): they
 * create the clients they hand to the store, bus and rate limit through
 * packages/redis/test/fixtures/client-kind.ts. The other Redis tests stay on node-redis:
 * connect-redis and options test node-redis' connectRedis and createRedisClientOptions;
 * client-errors kills node-redis' connection by its CLIENT ID and checks how node-redis reports
 * it; express-session-bridge and migration-guide move connect-redis data (its own client);
 * sizing measures memory, which does not depend on the client.
 */
export const CLIENT_SUITES = [
  'packages/redis/test/bus-broadcast.test.ts',
  'packages/redis/test/bus.test.ts',
  'packages/redis/test/cap-lock.test.ts',
  'packages/redis/test/cluster-conformance.test.ts',
  'packages/redis/test/cluster-topology.test.ts',
  'packages/redis/test/conformance.test.ts',
  'packages/redis/test/corrupt-values.test.ts',
  'packages/redis/test/degraded-link.test.ts',
  'packages/redis/test/expiry-ttl.test.ts',
  'packages/redis/test/frozen-redis.test.ts',
  'packages/redis/test/memory-limits.test.ts',
  'packages/redis/test/namespaces.test.ts',
  'packages/redis/test/outage.test.ts',
  'packages/redis/test/rate-limit-cluster.test.ts',
  'packages/redis/test/rate-limit.test.ts',
  'packages/redis/test/replica-acks.test.ts',
  'packages/redis/test/replica-failover.test.ts',
  'packages/redis/test/script-cache.test.ts',
  'packages/redis/test/sentinel-replica-acks.test.ts',
  'packages/redis/test/sentinel.test.ts',
  'packages/redis/test/session-cap.test.ts',
  'packages/redis/test/user-index.test.ts',
];

/** The browser tests (chromium is installed before they run). */
export const BROWSER_TESTS = 'apps/shop/test/browser/';
/** The tests that run the tutorials' Python clients (Debian's python3-jwt, python3-requests and python3-httpx are installed before they run). */
export const PYTHON_CLIENT_TESTS = 'apps/shop/test/clients/';
/** Tests that start private redis-server processes (redis-server and redis-cli are installed before they run). */
export const REDIS_SERVER_TESTS = [
  'packages/redis/test/',
  'packages/cli/test/doctor-redis.test.ts',
  'packages/cli/test/redis-cluster.test.ts',
  'packages/cli/test/redis-sentinel.test.ts',
];

/**
 * Tests whose outcome depends on TypeScript alone (they run tsc on a program of their own), not on
 * the Node that runs them: CI's node matrix leaves them out (`--skip-type-checks`), since the
 * machine's Node runs them in every `npm test`.
 */
export const TYPE_CHECK_TESTS = ['packages/coatcheck/test/types.test.ts'];

const ROOTS = ['packages', 'apps', 'scripts'];
const TEST_FILE = /\.test\.(ts|mjs)$/;

/** Every test file of the workspace, as paths relative to `root` with `/` separators, sorted. */
export function listTestFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (TEST_FILE.test(name)) files.push(relative(root, path).split(sep).join('/'));
    }
  };
  for (const dir of ROOTS) walk(join(root, dir));
  return files.sort();
}

/** True when the file needs a service (listed above). */
export function needsService(file) {
  return SERVICE_TESTS.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry));
}
