// Summarizes a V8 .cpuprofile: self time per function, inclusive time per function, and
// time per origin (our packages, fastify & deps, node internals, GC, idle).
// Frames of bundles (--runtime compiled) are mapped back to the TypeScript sources.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function analyze(profile, root) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const maps = new Map();
  const mapFor = (file) => {
    if (!maps.has(file)) maps.set(file, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : null);
    return maps.get(file);
  };
  const where = (cf) => {
    if (!cf.url) return '';
    if (!cf.url.startsWith('file://')) return `${cf.url}:${cf.lineNumber + 1}`;
    const file = fileURLToPath(cf.url);
    const entry = mapFor(file)?.findEntry(cf.lineNumber, cf.columnNumber);
    if (entry?.originalSource) {
      const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(file), entry.originalSource);
      return `${relative(root, source)}:${entry.originalLine + 1}`;
    }
    return `${relative(root, file)}:${cf.lineNumber + 1}`;
  };
  const keyOf = (n) => `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame)}`;
  const origin = (n) => {
    const { functionName } = n.callFrame;
    const url = where(n.callFrame);
    if (!url) return functionName.startsWith('(') ? functionName : '(native/builtin)';
    if (url.startsWith('node:')) return 'node internals';
    if (url.includes('node_modules/')) return `npm: ${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)[1]}`;
    if (url.startsWith('packages/')) return `ours: ${/^packages\/([^/]+)/.exec(url)[1]}`;
    if (url.startsWith('bench/')) return 'bench server';
    return 'other';
  };
  const self = new Map();
  const total = new Map();
  const origins = new Map();
  let all = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = timeDeltas[i + 1] ?? 0; // the time until the next sample belongs to this one
    all += dt;
    const leaf = byId.get(samples[i]);
    const k = keyOf(leaf);
    self.set(k, (self.get(k) ?? 0) + dt);
    const o = origin(leaf);
    origins.set(o, (origins.get(o) ?? 0) + dt);
    const seen = new Set();
    for (let id = samples[i]; id !== undefined; id = parent.get(id)) {
      const key = keyOf(byId.get(id));
      if (!seen.has(key)) {
        seen.add(key);
        total.set(key, (total.get(key) ?? 0) + dt);
      }
    }
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: us / all }));
  return { totalMs: all / 1000, self: sorted(self), inclusive: sorted(total), origins: sorted(origins) };
}
