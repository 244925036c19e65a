// Packs every public package of the workspace with `npm pack`, as a release would. Packages build
// themselves in `prepack`; while one has no prepack script the workspace is built first.
import { mkdirSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './exec.mjs';

/** The workspace's public packages: { name, dir, scripts }. */
export function listPublicPackages(root) {
  const packages = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const file = join(root, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    if (manifest.private) continue;
    packages.push({ name: manifest.name, dir, version: manifest.version, scripts: manifest.scripts ?? {} });
  }
  return packages;
}

/** Packs them into `dest`; returns Map<package name, tarball path>. */
export function packPackages(root, dest, log) {
  mkdirSync(dest, { recursive: true });
  const packages = listPublicPackages(root);
  const unbuilt = packages.filter((pkg) => !pkg.scripts.prepack);
  if (unbuilt.length > 0) {
    log(`no prepack script in ${unbuilt.map((pkg) => pkg.name).join(', ')}: npm run build first`);
    runCommand('npm', ['run', 'build'], { cwd: root, what: 'npm run build' });
  }
  const workspaces = packages.flatMap((pkg) => ['-w', pkg.name]);
  const { stdout } = runCommand('npm', ['pack', '--json', '--pack-destination', dest, ...workspaces], { cwd: root, what: 'npm pack' });
  // Lifecycle scripts may print before the JSON: it starts at the first line that is `[`.
  const json = JSON.parse(stdout.slice(stdout.search(/^\[/m)));
  const tarballs = new Map();
  for (const entry of json) tarballs.set(entry.name, join(dest, entry.filename));
  for (const pkg of packages) if (!tarballs.has(pkg.name)) throw new Error(`npm pack gave no tarball for ${pkg.name}`);
  return tarballs;
}

/** Tarballs packed earlier into `dir` by {@link packPackages}: Map<package name, path>. */
export function readTarballs(root, dir) {
  const tarballs = new Map();
  const files = readdirSync(dir).filter((name) => name.endsWith('.tgz'));
  for (const pkg of listPublicPackages(root)) {
    const file = files.find((name) => name === `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`);
    if (!file) throw new Error(`no tarball for ${pkg.name}@${pkg.version} in ${dir}`);
    tarballs.set(pkg.name, join(dir, file));
  }
  return tarballs;
}
