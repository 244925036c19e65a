// node bench/profile.mjs <variant> [--runtime tsx|compiled] [--duration 10] [--warmup 3] [--interval 250] [--top 25]
// CPU-profiles one server under the same GET /me load as the benchmark (profiler started after
// the warm-up), prints where the time goes and saves the .cpuprofile (open it in Chrome DevTools).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScriptArgs } from '../scripts/lib/script-args.mjs';
import { VARIANTS } from './lib/variants.mjs';
import { startServer, stopServer, waitReady } from './lib/server.mjs';
import { login, verify } from './lib/http.mjs';
import { wrk } from './lib/load.mjs';
import { analyze } from './lib/cpuprofile.mjs';
import { prepareScripts } from './lib/build.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt, positionals } = parseScriptArgs(import.meta.url, {
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    interval: { type: 'string', default: '250' },
    top: { type: 'string', default: '25' },
    port: { type: 'string', default: '3199' },
    runtime: { type: 'string', default: process.env.BENCH_RUNTIME ?? 'tsx' },
  },
});
const key = positionals[0] ?? 'cc-mem';
const variant = VARIANTS[key];
if (!variant) throw new Error(`unknown variant "${key}"`);
const pin = cpus().length >= 2;
const port = Number(opt.port);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const dir = join(root, 'bench/results/profiles');
mkdirSync(dir, { recursive: true });
const out = join(dir, `${key}-${stamp}.cpuprofile`);

const server = startServer({
  root,
  script: (await prepareScripts(root, VARIANTS, [key], opt.runtime))[key],
  runtime: opt.runtime,
  port,
  cpu: pin ? 0 : null,
  env: { SESSION_SECRET: randomBytes(32).toString('base64url'), PROFILE_OUT: out, PROFILE_INTERVAL_US: opt.interval, ...variant.env },
  nodeArgs: ['--import', './bench/lib/profiler-preload.mjs'],
});
let result;
try {
  await waitReady(server, port);
  const credential = (await login(port, variant)) ?? `Cookie: sid=${'x'.repeat(112)}`;
  await verify(port, credential, variant);
  const args = { url: `http://127.0.0.1:${port}/me`, credential, connections: 50, threads: 1, cpu: pin ? 1 : null };
  await wrk({ ...args, seconds: Number(opt.warmup) });
  server.child.kill('SIGUSR2');
  result = await wrk({ ...args, seconds: Number(opt.duration) });
  server.child.kill('SIGUSR2');
  for (let i = 0; i < 100 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(out)) throw new Error(`no profile written:\n${server.output()}`);
} finally {
  await stopServer(server);
}

const a = analyze(JSON.parse(readFileSync(out, 'utf8')), root);
const top = Number(opt.top);
const ms = (x) => x.toFixed(0).padStart(7);
const share = (x) => `${(x * 100).toFixed(1)}%`.padStart(6);
const usPerReq = (x) => ((x * 1000) / result.requests).toFixed(2).padStart(6);
const print = (title, rows) => {
  console.log(`\n${title}\n     ms  share  µs/req  function`);
  for (const r of rows) console.log(`${ms(r.ms)} ${share(r.share)}  ${usPerReq(r.ms)}  ${r.name}`);
};
console.log(
  `${key} (runtime ${opt.runtime}): ${Math.round(result.rps).toLocaleString('en-US')} req/s under the profiler (${result.requests} requests, ${a.totalMs.toFixed(0)} ms profiled)`,
);
print('time by origin', a.origins);
print(`top ${top} functions by self time`, a.self.slice(0, top));
print(`top ${top} functions by inclusive time (our packages and the bench server)`, a.inclusive.filter((r) => /packages\/|bench\//.test(r.name)).slice(0, top));
writeFileSync(
  out.replace(/\.cpuprofile$/, '.summary.json'),
  JSON.stringify({ variant: key, rps: result.rps, requests: result.requests, ...a, self: a.self.slice(0, 200), inclusive: a.inclusive.slice(0, 200) }, null, 2),
);
console.log(`\nprofile: ${out}`);
