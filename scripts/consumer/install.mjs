// The scratch project outside the repository: one `npm install` of the tarballs and every
// package the apps' install lines name, the way a user installs them.
//
// better-sqlite3 compiles from source when prebuild-install finds no prebuilt binary (GitHub is
// out of reach here). A user gets a prebuilt binary; we stand in for it with local prebuilds
// (prebuild-install's `local-prebuilds` option) made from a binary compiled once per Node ABI:
// the repository's own build when it matches, or the scratch install's build for later runs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runCommand } from './exec.mjs';

/** prebuild-install's file name for a better-sqlite3 binary of this Node and platform. */
export function prebuildName(version) {
  return `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
}

function loadsHere(packageDir) {
  const probe = `const Database = require(${JSON.stringify(packageDir)}); new Database(':memory:').close();`;
  try {
    runCommand(process.execPath, ['-e', probe], { what: 'loading better-sqlite3' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Saves the compiled binary of the better-sqlite3 in `packageDir` as a local prebuild, when it
 * loads in this Node and none is saved yet. Returns the prebuild's path or undefined.
 */
export function savePrebuild(packageDir, prebuildDir) {
  const binary = join(packageDir, 'build/Release/better_sqlite3.node');
  if (!existsSync(binary)) return undefined;
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const target = join(prebuildDir, prebuildName(version));
  if (existsSync(target)) return target;
  if (!loadsHere(packageDir)) return undefined;
  mkdirSync(prebuildDir, { recursive: true });
  runCommand('tar', ['-czf', target, '-C', packageDir, 'build/Release/better_sqlite3.node'], { what: 'packing a better-sqlite3 prebuild' });
  return target;
}

/** Creates the scratch project and installs `specs` (tarball paths and registry names) in one go. */
export function installScratch({ scratch, specs, prebuildDir, log }) {
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(scratch, 'package.json'), `${JSON.stringify({ name: 'coatcheck-consumer', private: true, type: 'module' }, null, 2)}\n`);
  const env = { ...process.env, npm_config_better_sqlite3_local_prebuilds: prebuildDir };
  log(`npm install ${specs.map((spec) => (spec.startsWith('/') ? basename(spec) : spec)).join(' ')}`);
  const { seconds } = runCommand('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: scratch,
    env,
    what: 'npm install in the scratch project',
  });
  const sqlite = join(scratch, 'node_modules/better-sqlite3');
  if (existsSync(sqlite)) {
    if (!loadsHere(sqlite)) throw new Error('better-sqlite3 was installed but does not load in the scratch project');
    savePrebuild(sqlite, prebuildDir);
  }
  return seconds;
}
