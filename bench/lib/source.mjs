// Which code is measured: commit, uncommitted changes and a hash of the sources of the packages
// the servers load (coatcheck, @coatcheck/fastify, @coatcheck/sqlite, @coatcheck/tokens).
// Taken before and after a run: with --runtime tsx each server start loads the sources as they
// are on disk at that moment, so an edit during the run would mix versions.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function files(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files(path, out);
    else if (/\.(ts|mts|js|mjs|json)$/.test(entry.name)) out.push(path);
  }
  return out;
}

const MEASURED = ['packages/coatcheck', 'packages/fastify', 'packages/sqlite', 'packages/express', 'packages/redis', 'packages/tokens'];

export function sourceState(root) {
  const hash = createHash('sha256');
  for (const dir of MEASURED) {
    const src = join(root, dir, 'src');
    for (const path of existsSync(src) ? files(src).sort() : []) hash.update(path).update(readFileSync(path));
  }
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  const dirty = git('status', '--porcelain', '--', ...MEASURED);
  return { commit: git('rev-parse', '--short', 'HEAD'), packagesDirty: dirty ? dirty.split('\n') : [], sourcesHash: hash.digest('hex').slice(0, 16) };
}
