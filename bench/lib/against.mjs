// --against REF: our variants built a second time from the packages as they were at an earlier
// commit, and measured in the same run as today's, interleaved. A change's cost is then read
// from one run (paired per repetition) instead of two runs on different days, which on a VM move
// more than the few per cent being looked for.
//
// Only the packages come from REF: the servers (bench/servers) are today's in both builds, so
// the two builds serve exactly the same app. npm dependencies are today's too (symlinked), which
// is what a user upgrading coatcheck alone would see.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { sourceState } from './source.mjs';

const git = (root, ...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The commit REF names, or an error that says what to pass instead. */
function resolveCommit(root, ref) {
  try {
    return git(root, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
  } catch {
    throw new Error(`--against ${ref}: not a commit of this repository (give a commit hash, a tag or a branch; see git log)`);
  }
}

/** dir/node_modules: today's npm packages, and our own package names pointing at dir/packages. */
function linkModules(root, dir) {
  const modules = join(dir, 'node_modules');
  rmSync(modules, { recursive: true, force: true });
  mkdirSync(join(modules, '@coatcheck'), { recursive: true });
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry === 'coatcheck' || entry === '@coatcheck' || entry.startsWith('.')) continue;
    symlinkSync(join(root, 'node_modules', entry), join(modules, entry));
  }
  for (const name of readdirSync(join(dir, 'packages'))) {
    const manifest = join(dir, 'packages', name, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')).name;
    symlinkSync(join(dir, 'packages', name), join(modules, pkg));
    // Dependencies npm nested under a package (a version the root cannot hoist).
    const nested = join(root, 'packages', name, 'node_modules');
    if (existsSync(nested)) symlinkSync(nested, join(dir, 'packages', name, 'node_modules'));
  }
}

/**
 * Extracts the packages of `ref` into bench/results/against/<commit>/ beside today's servers,
 * ready for `prepareScripts(dir, …)`. Returns where, the commit, and a label suffix.
 */
export function prepareAgainst(root, ref) {
  const commit = resolveCommit(root, ref);
  const short = commit.slice(0, 7);
  const dir = join(root, 'bench/results/against', short);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', commit, 'packages', 'tsconfig.base.json'], { cwd: root, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  cpSync(join(root, 'bench/servers'), join(dir, 'bench/servers'), { recursive: true });
  linkModules(root, dir);
  // sourceState's git fields would describe today's checkout (dir is inside it): keep the hash.
  return { dir, commit, short, sourcesHash: sourceState(dir).sourcesHash };
}

/** The catalog entry of `key` built from the packages at `short`. */
export function againstVariant(variant, short) {
  return { ...variant, label: `${variant.label}, packages at ${short}`, against: short };
}
