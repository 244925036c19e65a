// Makes sure the Debian programs the tests run are there: chromium for the browser tests
// (driven by playwright-core; no browser is ever downloaded by `playwright install`) and
// openssl for the certificate of their HTTPS test, redis-server / redis-cli for the Redis
// fault tests' private servers, and python3 with PyJWT, requests and httpx for the seed
// tutorials' clients. Missing ones are installed
// with apt-get when the machine allows it (root, or sudo without a password); otherwise this
// fails with the exact command to run. Used by scripts/test.mjs, so `npm test` is the whole
// set-up (and .ci/run, which runs `npm test`); alone: `node scripts/ensure-test-tools.mjs`.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Where the browser tests look for chromium (apps/shop/test/browser/browser-helpers.ts reads the same variable). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Each tool: the program, its Debian package, and which tests need it. */
export const TOOLS = Object.freeze({
  chromium: { path: CHROMIUM, pkg: 'chromium', neededBy: 'the browser tests', custom: CHROMIUM !== '/usr/bin/chromium' ? 'CHROMIUM_PATH' : undefined },
  openssl: { path: '/usr/bin/openssl', pkg: 'openssl', neededBy: 'the browser tests over HTTPS (a certificate for localhost)' },
  'redis-server': { path: '/usr/bin/redis-server', pkg: 'redis-server', neededBy: 'the Redis fault tests (private servers)' },
  'redis-cli': { path: '/usr/bin/redis-cli', pkg: 'redis-tools', neededBy: 'the Redis fault tests' },
  // Python modules, found where Debian installs them for /usr/bin/python3.
  'python3-jwt': { path: '/usr/lib/python3/dist-packages/jwt', pkg: 'python3-jwt', neededBy: 'the seed clients (PyJWT)' },
  'python3-requests': { path: '/usr/lib/python3/dist-packages/requests', pkg: 'python3-requests', neededBy: 'the seed clients (requests)' },
  'python3-httpx': { path: '/usr/lib/python3/dist-packages/httpx', pkg: 'python3-httpx', neededBy: 'the seed clients (httpx)' },
});

/** The command a person runs to install `packages`. */
export const installCommand = (packages) => `sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`;

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status === 0;
}

/** How apt-get may be run here: directly (root), through passwordless sudo, or not at all. */
function aptGet() {
  if (!existsSync('/usr/bin/apt-get')) return undefined;
  if (process.getuid?.() === 0) return ['apt-get'];
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0 ? ['sudo', '-n', 'apt-get'] : undefined;
}

/** Installs the missing tools among `names`; throws with the command to run when it cannot. */
export function ensureTestTools(names = Object.keys(TOOLS)) {
  const missing = names.map((name) => ({ name, ...TOOLS[name] })).filter((tool) => !existsSync(tool.path));
  if (missing.length === 0) return;
  const packages = missing.map((tool) => tool.pkg);
  const what = missing.map((tool) => `${tool.path} (${tool.neededBy})`).join(', ');
  const fail = (why) => {
    throw new Error(
      `missing ${what}, and ${why}.\nInstall ${packages.length === 1 ? 'it' : 'them'} with:\n  ${installCommand(packages)}${missing.some((t) => t.name === 'chromium') ? '\nor point CHROMIUM_PATH at a chromium binary.' : ''}`,
    );
  };
  const custom = missing.find((tool) => tool.custom);
  if (custom) fail(`${custom.custom} points elsewhere, so nothing is installed automatically`);
  const apt = aptGet();
  if (!apt) fail(existsSync('/usr/bin/apt-get') ? 'installing needs root or sudo without a password' : 'this machine has no apt-get');
  const [command, ...head] = apt;
  console.log(`missing ${what}: installing Debian's ${packages.join(' ')} (${[...apt, 'install -y', ...packages].join(' ')})`);
  if (!run(command, [...head, 'update', '-q'])) fail('`apt-get update` failed');
  if (!run(command, [...head, 'install', '-y', '-q', ...packages])) fail(`\`apt-get install -y ${packages.join(' ')}\` failed`);
  const still = missing.filter((tool) => !existsSync(tool.path));
  if (still.length > 0) fail(`apt-get ran but ${still.map((tool) => tool.path).join(', ')} is still missing`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const names = process.argv.slice(2);
    ensureTestTools(names.length > 0 ? names : undefined);
    console.log('test tools present:', (names.length > 0 ? names : Object.keys(TOOLS)).map((name) => TOOLS[name].path).join(', '));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
