// The workspace as the release scripts see it: which packages are published, in which order,
// and how to pack them the way `npm publish` does (prepack builds each one).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above this file). */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];

/** Reads a package.json as an object. */
export function readManifest(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * Every workspace package (packages/* and apps/*), public or not, with its manifest path.
 * The root package.json's `workspaces` globs are the source of truth; only the `dir/*` form
 * is used there, so that is the only form read here.
 */
export function listWorkspacePackages() {
  const { workspaces } = readManifest(join(root, 'package.json'));
  const packages = [];
  for (const pattern of workspaces) {
    if (!pattern.endsWith('/*')) throw new Error(`unsupported workspaces pattern "${pattern}"`);
    const parent = join(root, pattern.slice(0, -2));
    for (const name of readdirSync(parent).sort()) {
      const manifestPath = join(parent, name, 'package.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = readManifest(manifestPath);
      packages.push({ dir: join(parent, name), rel: relative(root, join(parent, name)), manifestPath, manifest, name: manifest.name });
    }
  }
  return packages;
}

/**
 * The published packages, dependencies first: a package comes after every sibling it
 * depends on (dependencies, peers, optional), so publishing in this order never leaves a
 * published package pointing at a version that is not on the registry yet.
 */
export function listPublicPackages() {
  const published = listWorkspacePackages().filter((pkg) => pkg.manifest.private !== true);
  const byName = new Map(published.map((pkg) => [pkg.name, pkg]));
  const ordered = [];
  const state = new Map();
  const visit = (pkg, trail) => {
    if (state.get(pkg.name) === 'done') return;
    if (state.get(pkg.name) === 'visiting') throw new Error(`dependency cycle: ${[...trail, pkg.name].join(' -> ')}`);
    state.set(pkg.name, 'visiting');
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const dep of Object.keys(pkg.manifest[field] ?? {})) {
        const sibling = byName.get(dep);
        if (sibling) visit(sibling, [...trail, pkg.name]);
      }
    }
    state.set(pkg.name, 'done');
    ordered.push(pkg);
  };
  for (const pkg of published) visit(pkg, []);
  return ordered;
}

/** Names of every workspace package: the ranges on these move with the version. */
export function siblingNames() {
  return new Set(listWorkspacePackages().map((pkg) => pkg.name));
}

/** Each `[field, name, range]` of a manifest that points at a sibling package. */
export function siblingRanges(manifest, siblings = siblingNames()) {
  const found = [];
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (siblings.has(name)) found.push([field, name, range]);
    }
  }
  return found;
}

/**
 * Removes the build output of every public package, so the next pack builds each one from
 * its sources as on a fresh clone (a stale dist could hide a broken prepack, or ship files
 * whose sources are gone). Private packages keep theirs: nothing of them is packed.
 */
export function removeBuildOutput() {
  for (const pkg of listPublicPackages()) {
    rmSync(join(pkg.dir, 'dist'), { recursive: true, force: true });
    rmSync(join(pkg.dir, 'tsconfig.tsbuildinfo'), { force: true });
  }
}

/**
 * Packs one package into `destination` with npm (running its prepack, as publish does) and
 * returns npm's report: `{ filename, files: [{ path }], ... }` plus the tarball's full path.
 */
export function packPackage(pkg, destination) {
  const stdout = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: pkg.dir,
    encoding: 'utf8',
    // prepack's compiler output goes to stderr with --json; show it only when packing fails.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [report] = JSON.parse(stdout);
  return { ...report, tarball: join(destination, report.filename) };
}

/** Runs a command, returning its exit code and combined output instead of throwing. */
export function run(command, args, options = {}) {
  try {
    const output = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
    return { code: 0, output };
  } catch (error) {
    return { code: error.status ?? 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` || String(error) };
  }
}
