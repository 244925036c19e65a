// Runs the workspace's test files with node:test through tsx.
//   node scripts/test.mjs [filter...]         every test (needs Redis, Postgres, chromium)
//   node scripts/test.mjs --unit [filter]     the unit tests only, with services refused
//   node scripts/test.mjs --redis=6 [filter]  'redis' resolves to the v6 client (redis6 alias)
//   node scripts/test.mjs --redis-client=ioredis|iovalkey [filter]
//                                             the Redis suites of CLIENT_SUITES (test-groups.mjs)
//                                             with the store and bus on that client
//   node scripts/test.mjs --skip-type-checks  leave out TYPE_CHECK_TESTS (test-groups.mjs): CI's other Nodes
//   node scripts/test.mjs --coverage          every test, then line coverage against the floors
//                                             of scripts/coverage/floors.mjs (a full run only)
// TEST_CONCURRENCY sets how many files run at once (default 3, 4 for --unit).
// A filter is a substring of the file path; with several, a file matching any of them runs.
// Which files need a service is decided in scripts/test-groups.mjs. Node 20's test runner has no glob support, so files are listed here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseScriptArgs } from './lib/script-args.mjs';
import { BROWSER_TESTS, CLIENT_SUITES, PYTHON_CLIENT_TESTS, REDIS_SERVER_TESTS, TYPE_CHECK_TESTS, listTestFiles, needsService } from './test-groups.mjs';
import { ensureTestTools } from './ensure-test-tools.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseScriptArgs(import.meta.url, {
  allowPositionals: true,
  options: {
    unit: { type: 'boolean', default: false },
    'skip-type-checks': { type: 'boolean', default: false },
    redis: { type: 'string', default: '5' },
    'redis-client': { type: 'string', default: 'node-redis' },
    coverage: { type: 'boolean', default: false },
  },
});
if (!['5', '6'].includes(values.redis)) {
  console.error(`--redis must be 5 or 6, got ${values.redis}`);
  process.exit(2);
}
const redisClient = values['redis-client'];
if (!['node-redis', 'ioredis', 'iovalkey'].includes(redisClient)) {
  console.error(`--redis-client must be node-redis, ioredis or iovalkey, got ${redisClient}`);
  process.exit(2);
}
const filters = positionals;
if (values.coverage && (filters.length > 0 || values.unit || values['skip-type-checks'])) {
  // The floors are promises about the whole suite; a part of it would fail them for nothing.
  console.error('--coverage checks the floors of a full run: drop --unit, --skip-type-checks and the filters');
  process.exit(2);
}
let selected = listTestFiles(root).filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)));
if (values.unit) selected = selected.filter((file) => !needsService(file));
if (values['skip-type-checks']) selected = selected.filter((file) => !TYPE_CHECK_TESTS.includes(file));
if (redisClient !== 'node-redis') selected = selected.filter((file) => CLIENT_SUITES.includes(file));
if (selected.length === 0) {
  console.error(
    `no test files found${filters.length > 0 ? ` for ${filters.map((filter) => `"${filter}"`).join(', ')}` : ''}${values.unit ? ' in the unit set' : ''}`,
  );
  process.exit(1);
}

// The Debian programs the selected tests run: installed here when missing (npm test is the
// whole set-up), or the run stops with the command to run.
const tools = [];
if (!values.unit && selected.some((file) => file.startsWith(BROWSER_TESTS))) tools.push('chromium', 'openssl');
if (!values.unit && selected.some((file) => REDIS_SERVER_TESTS.some((entry) => file.startsWith(entry)))) tools.push('redis-server', 'redis-cli');
if (!values.unit && selected.some((file) => file.startsWith(PYTHON_CLIENT_TESTS))) tools.push('python3-jwt', 'python3-requests', 'python3-httpx');
if (tools.length > 0) {
  try {
    ensureTestTools(tools);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}

// Preloads go through NODE_OPTIONS so the test runner's per-file processes get them too.
const preloads = [];
if (values.unit) preloads.push(pathToFileURL(resolve(root, 'scripts/test-support/unit-guard.mjs')).href);
if (values.redis === '6') preloads.push(pathToFileURL(resolve(root, 'scripts/test-support/redis-major.mjs')).href);
const nodeOptions = [process.env.NODE_OPTIONS ?? '', ...preloads.map((url) => `--import=${url}`)].join(' ').trim();
const env = { ...process.env, NODE_ENV: 'test', NODE_OPTIONS: nodeOptions, COATCHECK_REDIS_CLIENT: redisClient };
if (redisClient !== 'node-redis') console.log(`redis client for the store and bus: ${redisClient}`);
// Every process the tests start inherits this and writes its V8 coverage there on exit.
const coverageDir = values.coverage ? mkdtempSync(resolve(tmpdir(), 'coatcheck-coverage-')) : null;
if (coverageDir) env.NODE_V8_COVERAGE = coverageDir;

if (values.unit) {
  // Proof that the guard refuses a service, before any unit result is trusted.
  const probe = spawnSync(process.execPath, ['-e', "require('node:net').connect(6379, '127.0.0.1').on('error', () => {})"], { env, encoding: 'utf8' });
  if (probe.status === 0 || !probe.stderr.includes('unit test used Redis')) {
    console.error(`--unit: the service guard did not refuse a Redis connection:\n${probe.stdout}${probe.stderr}`);
    process.exit(1);
  }
}

if (values.redis === '6') {
  // Proof that the hook took effect, before any test result is trusted.
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('redis'))"], {
    cwd: resolve(root, 'packages/redis'),
    env,
    encoding: 'utf8',
  });
  if (probe.status !== 0 || !probe.stdout.includes('/redis6/')) {
    console.error(`--redis=6: 'redis' did not resolve to the redis6 package:\n${probe.stdout}${probe.stderr}`);
    process.exit(1);
  }
  console.log(`redis client for this run: ${probe.stdout.trim()}`);
}

const concurrency = Number(process.env.TEST_CONCURRENCY ?? (values.unit ? 4 : 3));
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`TEST_CONCURRENCY must be a positive integer, got ${process.env.TEST_CONCURRENCY}`);
  process.exit(2);
}
console.log(`node ${process.version}: ${selected.length} test file${selected.length === 1 ? '' : 's'}${values.unit ? ' (unit set)' : ''}`);
const result = spawnSync(
  process.execPath,
  // The files mostly wait (timers, sockets, child processes, Redis and Postgres), so several run
  // at once: Node's default is one file per core but one, a single file on a two-core machine.
  // Service tests may share one Redis and one Postgres because each works under its own key
  // prefix, schema or private server.
  [
    '--conditions=source',
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${pathToFileURL(resolve(root, 'scripts/test-support/slowest-files.mjs')).href}`,
    '--test-reporter-destination=stdout',
    `--test-concurrency=${concurrency}`,
    ...selected,
  ],
  { cwd: root, stdio: 'inherit', env },
);
if (coverageDir) {
  const { checkFloors } = await import('./coverage/floors.mjs');
  let failures;
  try {
    failures = checkFloors(root, coverageDir, resolve(root, 'test-artifacts/coverage'));
  } finally {
    rmSync(coverageDir, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.error(`\ncoverage below the floor (scripts/coverage/floors.mjs):\n  ${failures.join('\n  ')}`);
    process.exit(result.status || 1);
  }
}
process.exit(result.status ?? 1);
