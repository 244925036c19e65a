// --runtime compiled: bundles the servers that import our TypeScript packages into plain JS
// with esbuild (like a tsc build: no keepNames `__name()` wrappers, which tsx adds to every
// function and closure), into bench/results/build/. npm packages stay external.
import { build } from 'esbuild';
import { join } from 'node:path';

const ours = /^(coatcheck|@coatcheck\/)/;

export async function buildServers(root, files) {
  const outdir = join(root, 'bench/results/build');
  await build({
    entryPoints: files.map((file) => join(root, 'bench/servers', file)),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`,
    conditions: ['source'],
    keepNames: false,
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [
      {
        name: 'external-npm',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => (ours.test(args.path) ? undefined : { path: args.path, external: true }));
        },
      },
    ],
  });
  return (file) => join(outdir, file);
}

/** The script each variant runs: bench/servers/<file>, or its bundle for `ours` when compiled. */
export async function prepareScripts(root, variants, keys, runtime) {
  if (runtime !== 'tsx' && runtime !== 'compiled') throw new Error(`--runtime must be tsx or compiled, not "${runtime}"`);
  const source = (key) => join(root, 'bench/servers', variants[key].file);
  if (runtime === 'tsx') return Object.fromEntries(keys.map((k) => [k, source(k)]));
  const built = keys.filter((k) => variants[k].ours);
  const bundled =
    built.length > 0
      ? await buildServers(
          root,
          built.map((k) => variants[k].file),
        )
      : null;
  return Object.fromEntries(keys.map((k) => [k, variants[k].ours ? bundled(variants[k].file) : source(k)]));
}
