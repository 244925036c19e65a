import { build } from 'esbuild';
await build({ entryPoints: [process.argv[2]], outfile: process.argv[3], bundle: true, platform: 'node', format: 'esm', target: 'node20', conditions: ['source'], logLevel: 'warning', sourcemap: 'linked', absWorkingDir: '/work/main',
  plugins: [{ name: 'ext', setup(b) { b.onResolve({ filter: /^[^./]/ }, (a) => (/^(coatcheck|@coatcheck\/)/.test(a.path) ? undefined : { path: a.path, external: true })); } }] });
