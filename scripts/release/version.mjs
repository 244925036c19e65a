// Moves every public package to one version, points every range on a sibling package at it
// (`^<version>`, in dependencies, peers and devDependencies of every workspace package,
// private ones and apps included) and updates package-lock.json.
//
//   npm run release:version -- <version>
//
// The packages are released together: one version for all keeps "which coatcheck goes with
// which adapter" out of every user's head, and a caret range lets a patch of any one of them
// install beside the others without ERESOLVE.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseScriptArgs } from '../lib/script-args.mjs';
import { listPublicPackages, listWorkspacePackages, root, siblingNames } from './workspace.mjs';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const usage = 'usage: npm run release:version -- <version>   (e.g. 0.1.1, 0.2.0, 1.0.0-rc.1)';

/** Compares two versions by their numbers (a prerelease sorts before its release). */
function compareVersions(a, b) {
  const [pa, pb] = [SEMVER.exec(a), SEMVER.exec(b)];
  for (let i = 1; i <= 3; i += 1) if (Number(pa[i]) !== Number(pb[i])) return Number(pa[i]) - Number(pb[i]);
  if (pa[4] === pb[4]) return 0;
  if (pa[4] === undefined) return 1;
  if (pb[4] === undefined) return -1;
  return pa[4].localeCompare(pb[4], 'en', { numeric: true });
}

const { positionals } = parseScriptArgs(import.meta.url, { allowPositionals: true, options: {} });
const [version] = positionals;
if (positionals.length !== 1 || !SEMVER.test(version)) {
  console.error(positionals.length === 1 ? `"${version}" is not a version (major.minor.patch[-prerelease]).\n${usage}` : usage);
  process.exit(1);
}

const current = listPublicPackages().map((pkg) => pkg.manifest.version);
const highest = current.reduce((a, b) => (compareVersions(a, b) >= 0 ? a : b));
if (compareVersions(version, highest) < 0) {
  console.error(`${version} is lower than the current ${highest}; versions only move forward.`);
  process.exit(1);
}

const siblings = siblingNames();
const changed = [];
for (const pkg of listWorkspacePackages()) {
  const { manifest } = pkg;
  const before = JSON.stringify(manifest);
  if (manifest.private !== true) manifest.version = version;
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
    for (const name of Object.keys(manifest[field] ?? {})) {
      if (siblings.has(name)) manifest[field][name] = `^${version}`;
    }
  }
  if (JSON.stringify(manifest) !== before) {
    writeFileSync(pkg.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    changed.push(pkg.rel);
  }
}

// The lockfile records each workspace's version and ranges; --package-lock-only rewrites it
// without touching node_modules or the network for packages that are already locked.
execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });

console.log(`\n${version}: ${changed.length ? changed.join(', ') : 'nothing to change'}; package-lock.json updated.`);
console.log('Next: review `git diff`, then `npm run release:dry-run` (docs/releasing.md).');
