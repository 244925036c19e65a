// Makes sure Debian's chromium is there for the browser tests (playwright-core drives it; no
// browser is ever downloaded by `playwright install`). When it is missing and the machine allows
// it (root, or sudo without a password) it is installed with apt-get; otherwise this fails with
// the exact command to run. Used by scripts/test.mjs (so `npm test` is the whole set-up) and by
// .ci/run through `npm test`; run alone with `node scripts/ensure-chromium.mjs`.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Where the browser tests look for it (apps/shop/test/browser/browser-helpers.ts reads the same variable). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The command a person runs when this script may not. */
export const INSTALL_COMMAND = 'sudo apt-get update && sudo apt-get install -y chromium';

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status === 0;
}

/** How apt-get may be run here: directly (root), through passwordless sudo, or not at all. */
function privilegePrefix() {
  if (process.getuid?.() === 0) return [];
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  return sudo.status === 0 ? ['sudo', '-n'] : undefined;
}

/** Installs chromium when missing; throws with the command to run when it cannot. */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const fail = (why) => {
    throw new Error(`chromium not found at ${CHROMIUM} (the browser tests need Debian's chromium) and ${why}.\nInstall it with:\n  ${INSTALL_COMMAND}\nor point CHROMIUM_PATH at a chromium binary.`);
  };
  if (CHROMIUM !== '/usr/bin/chromium') fail('CHROMIUM_PATH points elsewhere, so it is not installed automatically');
  if (!existsSync('/usr/bin/apt-get')) fail('this machine has no apt-get');
  const prefix = privilegePrefix();
  if (!prefix) fail('installing it needs root or sudo without a password');
  console.log(`chromium not found: installing Debian's chromium (${[...prefix, 'apt-get install -y chromium'].join(' ')})`);
  const [command, ...head] = prefix.length > 0 ? prefix : ['apt-get'];
  const args = prefix.length > 0 ? [...head, 'apt-get'] : [];
  if (!run(command, [...args, 'update', '-q'])) fail('`apt-get update` failed');
  if (!run(command, [...args, 'install', '-y', '-q', 'chromium'])) fail('`apt-get install -y chromium` failed');
  if (!existsSync(CHROMIUM)) fail(`apt-get installed chromium but ${CHROMIUM} is still missing`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureChromium();
    spawnSync(CHROMIUM, ['--version'], { stdio: 'inherit' });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
