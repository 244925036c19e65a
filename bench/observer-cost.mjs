// node bench/observer-cost.mjs [--apps b,cc-mem,cc-mem-observed] [--iterations 10000] [--rounds 9]
//                              [--runtime compiled|tsx] [--compare <bundle>]
// node bench/observer-cost.mjs --listeners [--iterations 300000]
// The CPU time of one authenticated GET /me through `app.inject`, without sockets or a load
// generator: each app (bench/servers/observer-apps.mjs) runs in a process of its own, and the
// apps answer batches of requests in turn, interleaved over rounds. Printed: the median CPU µs
// per request of each (process.cpuUsage, GC included) and its difference to cc-mem. The
// inject machinery costs the same in every app, so the differences are what the session layer
// and the exporters add; CPU time is far less disturbed by other work on a shared machine
// than a load test's throughput. `--compare <bundle>`: apps named `<key>@before` come from an
// earlier build of observer-apps.mjs (copied from bench/results/build/), to compare two
// versions of the code in one run. `--listeners`: each exporter's store-call listener called
// directly, ns per call.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseScriptArgs } from '../scripts/lib/script-args.mjs';
import { prepareScripts } from './lib/build.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseScriptArgs(import.meta.url, {
  options: {
    apps: { type: 'string', default: 'b,cc-mem,cc-mem-observed' },
    iterations: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '9' },
    warmup: { type: 'string', default: '5000' },
    runtime: { type: 'string', default: 'compiled' },
    compare: { type: 'string' },
    serve: { type: 'string' },
    bundle: { type: 'string' },
    listeners: { type: 'boolean', default: false },
  },
});

if (opt.serve) await serve(opt.serve, opt.bundle);
else if (opt.listeners) await listeners();
else await measure();

/** `--listeners`: each exporter's store-call listener called directly, in this process. */
async function listeners() {
  const bundle = (await prepareScripts(root, { apps: { file: 'observer-apps.mjs', ours: true } }, ['apps'], opt.runtime)).apps;
  const { measureListeners } = await import(pathToFileURL(bundle).href);
  console.log(`node ${process.version}, ${opt.runtime}, ns per call (CPU time, median of 5 × ${opt.iterations} calls)`);
  for (const [label, ns] of measureListeners(Number(opt.iterations))) console.log(`${label.padEnd(66)} ${ns.toFixed(0).padStart(6)} ns`);
  process.exit(0);
}

/** A child: builds one app, then answers `{ n }` with the CPU µs per request of n requests. */
async function serve(key, bundle) {
  const { APPS } = await import(pathToFileURL(bundle).href);
  const { app, request } = await APPS[key]();
  await app.ready();
  const login = await app.inject({ method: 'POST', url: '/login' });
  const cookie = [login.headers['set-cookie'] ?? []].flat().map((line) => line.split(';')[0]);
  const headers = cookie.length > 0 ? { cookie: cookie.join('; ') } : {};
  const check = await app.inject({ method: 'GET', url: '/me', headers });
  if (check.statusCode !== 200 || check.json().userId !== 'u_42') throw new Error(`${key}: GET /me answered ${check.statusCode} ${check.body}`);
  const inject = () => app.inject({ method: 'GET', url: '/me', headers });
  const run = async (n) => {
    for (let i = 0; i < n; i++) await request(inject);
  };
  await run(Number(opt.warmup));
  process.on('message', async ({ n }) => {
    const before = process.cpuUsage();
    await run(n);
    const used = process.cpuUsage(before);
    process.send({ us: (used.user + used.system) / n });
  });
  process.send({ ready: true });
}

async function measure() {
  const entry = { apps: { file: 'observer-apps.mjs', ours: true } };
  const current = (await prepareScripts(root, entry, ['apps'], opt.runtime)).apps;
  const env = { ...process.env, SESSION_SECRET: process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url') };
  const execArgv = opt.runtime === 'tsx' ? ['--conditions=source', '--import', 'tsx'] : [];
  const subjects = [];
  for (const name of opt.apps.split(',')) {
    const [key, version] = name.split('@');
    const bundle = version === 'before' ? resolve(opt.compare) : current;
    const child = fork(fileURLToPath(import.meta.url), ['--serve', key, '--bundle', bundle, '--warmup', opt.warmup], { env, execArgv });
    let failed = null;
    child.once('exit', (code) => failed?.(new Error(`${name} exited with ${code}`)));
    const next = () =>
      new Promise((done, fail) => {
        failed = fail;
        child.once('message', done);
      });
    await next();
    subjects.push({ name, child, next, samples: [] });
  }
  const n = Number(opt.iterations);
  for (let round = 0; round < Number(opt.rounds); round++) {
    for (const subject of subjects) {
      subject.child.send({ n });
      subject.samples.push((await subject.next()).us);
    }
  }
  for (const subject of subjects) {
    subject.child.removeAllListeners('exit');
    subject.child.kill();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(subjects.find((s) => s.name === 'cc-mem')?.samples ?? [Number.NaN]);
  console.log(`node ${process.version}, ${opt.runtime}, ${opt.rounds} rounds × ${n} GET /me per app (app.inject, CPU µs per request, one process per app)`);
  for (const { name, samples } of subjects) {
    const m = median(samples);
    const diff = m - base;
    console.log(
      `${name.padEnd(24)} median ${m.toFixed(2).padStart(6)} µs   min ${Math.min(...samples)
        .toFixed(2)
        .padStart(6)}   vs cc-mem ${diff >= 0 ? '+' : ''}${diff.toFixed(2)} µs`,
    );
  }
}
