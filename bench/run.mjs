// npm run bench [-- --reps 3 --duration 10 --warmup 3 --variants a,b,cc-mem,cc-sqlite,e,c --check]
// Load-tests GET /me (authenticated read) of each variant; see bench/README.md for the method.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScriptArgs } from '../scripts/lib/script-args.mjs';
import { BASELINE, DEFAULT_VARIANTS, GOALS, PEERS, VARIANTS } from './lib/variants.mjs';
import { dropPrefix, pinRedis, redisCommandsPerRequest, releaseRedis, resetRedisStats } from './lib/redis.mjs';
import { cpuCoreSeconds, cpuSeconds, startServer, stopServer, waitQuiet, waitReady } from './lib/server.mjs';
import { login, verify, verifyRevoked, verifyWrite } from './lib/http.mjs';
import { autocannon, findWrk, wrk } from './lib/load.mjs';
import { formatAgainst, formatTable, pairedRatio, summarize } from './lib/report.mjs';
import { prepareScripts } from './lib/build.mjs';
import { sourceState } from './lib/source.mjs';
import { againstVariant, prepareAgainst } from './lib/against.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const { values: opt } = parseScriptArgs(import.meta.url, {
  options: {
    reps: { type: 'string', default: env.BENCH_REPS ?? '3' },
    duration: { type: 'string', default: env.BENCH_DURATION ?? '10' },
    warmup: { type: 'string', default: env.BENCH_WARMUP ?? '3' },
    variants: { type: 'string', default: env.BENCH_VARIANTS ?? DEFAULT_VARIANTS.join(',') },
    connections: { type: 'string', default: env.BENCH_CONNECTIONS ?? '50' },
    threads: { type: 'string', default: env.BENCH_THREADS ?? '1' },
    port: { type: 'string', default: env.BENCH_PORT ?? '3100' },
    runtime: { type: 'string', default: env.BENCH_RUNTIME ?? 'tsx' },
    'quiet-wait': { type: 'string', default: env.BENCH_QUIET_WAIT ?? '60' },
    'redo-noisy': { type: 'string', default: env.BENCH_REDO_NOISY ?? '2' },
    check: { type: 'boolean', default: false },
    against: { type: 'string', default: env.BENCH_AGAINST },
  },
});
const reps = Number(opt.reps);
const duration = Number(opt.duration);
const warmup = Number(opt.warmup);
const connections = Number(opt.connections);
const threads = Number(opt.threads);

const requested = opt.variants
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = requested.filter((key) => !VARIANTS[key]);
if (unknown.length > 0) {
  console.error(`unknown variant${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key}"`).join(', ')}; known: ${Object.keys(VARIANTS).join(', ')}`);
  process.exit(2);
}
/** The first file a variant needs that `dir` lacks, or null. */
const missingFiles = (dir, variant) => [].concat(variant.requires ?? []).find((file) => !existsSync(join(dir, file))) ?? null;
const variants = requested.filter((key) => {
  const missing = missingFiles(root, VARIANTS[key]);
  if (missing) console.warn(`warning: skipping ${key}: ${missing} does not exist yet`);
  return !missing;
});

// --against REF[,REF…]: each of our variants also built from the packages at each REF, run
// right after it.
const againsts = (opt.against ?? '')
  .split(',')
  .map((ref) => ref.trim())
  .filter(Boolean)
  .map((ref) => ({ ref, ...prepareAgainst(root, ref) }));
const catalog = { ...VARIANTS };
for (const key of [...variants]) {
  if (!VARIANTS[key].ours) continue;
  let at = variants.indexOf(key);
  for (const against of againsts) {
    const missing = missingFiles(against.dir, VARIANTS[key]);
    if (missing) {
      console.warn(`warning: no ${key} at ${against.short}: ${missing} did not exist yet`);
      continue;
    }
    const twin = `${key}@${against.short}`;
    catalog[twin] = againstVariant(VARIANTS[key], against.short);
    variants.splice(++at, 0, twin);
  }
}

// Server on CPU0, load generator on CPU1; unpinned (with a warning) when that is impossible.
let hasTaskset = true;
try {
  execFileSync('taskset', ['-V'], { stdio: 'ignore' });
} catch {
  hasTaskset = false;
}
const pin = hasTaskset && cpus().length >= 2;
if (!pin) console.warn('warning: not pinning (needs taskset and 2+ CPUs); server and load generator share CPUs');
const serverCpu = pin ? 0 : null;
const loadCpu = pin ? 1 : null;

const scripts = {
  ...(await prepareScripts(
    root,
    catalog,
    variants.filter((k) => !catalog[k].against),
    opt.runtime,
  )),
  ...Object.assign(
    {},
    ...(await Promise.all(
      againsts.map((against) =>
        prepareScripts(
          against.dir,
          catalog,
          variants.filter((k) => catalog[k].against === against.short),
          opt.runtime,
        ),
      ),
    )),
  ),
};
const wrkVersion = await findWrk();
const load = wrkVersion ? wrk : autocannon;
if (!wrkVersion) console.warn('warning: wrk not found; falling back to autocannon (numbers are not comparable with wrk runs)');

const version = (pkg) => {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
};
const source = sourceState(root);
const meta = {
  startedAt: new Date().toISOString(),
  ...source,
  against: againsts.map(({ ref, commit, sourcesHash }) => ({ ref, commit, sourcesHash })),
  node: process.version,
  cpu: cpus()[0]?.model,
  cpus: cpus().length,
  loadTool: wrkVersion ?? `autocannon ${version('autocannon')}`,
  pinned: pin ? { server: serverCpu, load: loadCpu } : null,
  settings: { reps, duration, warmup, connections, threads, variants, runtime: opt.runtime },
  packages: Object.fromEntries(
    ['fastify', '@fastify/session', '@fastify/cookie', 'express', 'express-session', 'better-sqlite3', 'tsx'].map((p) => [p, version(p)]),
  ),
};
const secret = randomBytes(32).toString('base64url'); // fresh per run, shared by all servers
const runs = [];
const retries = [];

// Same length as a coatcheck cookie, sent to variants without sessions so every request is alike.
const DUMMY_COOKIE = `sid=${'x'.repeat(112)}`;

const NOISY = 0.1; // a run with >10 % of the server CPU spent on something else is flagged
const pct = (x) => `${(x * 100).toFixed(0)}%`;
/**
 * Why a run's number is suspect, or ''. A variant of several processes (`workers`) is not
 * judged: its workers' CPU is what the runner counts as other work on the server core.
 */
const isNoisy = (run) =>
  catalog[run.variant]?.workers
    ? ''
    : run.otherOnServerCpu > NOISY
      ? 'other work on the server CPU'
      : run.serverCpuBusy < 1 - NOISY
        ? 'server CPU not saturated (load generator starved?)'
        : '';

/** Server CPU per request (user/sys) and how busy the two cores were, between two snapshots. */
function cpuUse(before, after, result) {
  const out = {};
  if (before.proc && after.proc) {
    const user = after.proc.user - before.proc.user;
    const sys = after.proc.sys - before.proc.sys;
    Object.assign(out, {
      serverCpuSeconds: user + sys,
      serverCpuBusy: (user + sys) / result.seconds,
      serverCpuUsPerReq: ((user + sys) * 1e6) / result.requests,
      serverUserUsPerReq: (user * 1e6) / result.requests,
      serverSysUsPerReq: (sys * 1e6) / result.requests,
    });
  }
  if (pin && before.core && after.core && out.serverCpuSeconds !== undefined) {
    // Busy time of the server's core not charged to the server (other processes, interrupts).
    out.otherOnServerCpu = Math.max(0, (after.core.busy - before.core.busy - out.serverCpuSeconds) / result.seconds);
    out.serverCpuSteal = (after.core.steal - before.core.steal) / result.seconds;
    out.loadCpuBusy = (after.load.busy - before.load.busy) / result.seconds;
  }
  return out;
}

async function measure(rep, key) {
  const variant = catalog[key];
  const port = Number(opt.port) + Object.keys(catalog).indexOf(key);
  const url = `http://127.0.0.1:${port}/me`;
  // Shared machine: wait for other work to stop before starting (the run records what it found).
  const before = opt.check ? null : await waitQuiet(Number(opt['quiet-wait']));
  if (before && !before.quiet) console.warn(`warning: machine still busy (${pct(before.busy)} of a CPU) after ${opt['quiet-wait']} s; measuring anyway`);
  const prefix = `bench:${key}:${rep}:${randomBytes(4).toString('hex')}:`;
  const server = (current = startServer({
    root,
    script: scripts[key],
    runtime: opt.runtime,
    port,
    env: { SESSION_SECRET: secret, BENCH_PREFIX: prefix, ...variant.env },
    cpu: serverCpu,
  }));
  try {
    await waitReady(server, port);
    const credential = (await login(port, variant)) ?? (variant.session ? null : `Cookie: ${DUMMY_COOKIE}`);
    if (!credential) throw new Error(`POST /login returned no ${variant.bearer ? 'access_token' : 'Set-Cookie'}`);
    await verify(port, credential, variant);
    if (opt.check) {
      await verifyWrite(port, credential);
      if (variant.revocable) await verifyRevoked(port, credential);
      console.log(`check ${key}: ok (${variant.bearer ? 'Authorization: Bearer' : `cookie ${credential.slice(8).split('=')[0]}`})`);
      return;
    }
    const args = { root, url, credential, connections, threads, cpu: loadCpu };
    const warm = await load({ ...args, seconds: warmup });
    const snapshot = () => ({ proc: cpuSeconds(server.pid), core: cpuCoreSeconds(serverCpu ?? 0), load: cpuCoreSeconds(loadCpu ?? 1) });
    if (variant.redis) await resetRedisStats();
    const start = snapshot();
    const result = await load({ ...args, seconds: duration });
    const end = snapshot();
    if (variant.redis) result.redis = await redisCommandsPerRequest(result.requests);
    for (const [phase, r] of [
      ['warm-up', warm],
      ['measured run', result],
    ]) {
      if (r.non2xx > 0 || r.errors > 0) {
        const error = new Error(`${key} ${phase}: ${r.non2xx} non-2xx responses; ${r.socketErrors ?? 'no socket errors'}\nserver output:\n${server.output()}`);
        error.retryable = r.non2xx === 0; // socket errors/timeouts only: possibly a busy machine
        throw error;
      }
    }
    if (server.child.exitCode !== null) throw new Error(`server died during the run:\n${server.output()}`);
    const run = { rep, variant: key, ...result, ...cpuUse(start, end, result), machineBusyBefore: before.busy };
    runs.push(run);
    const busy =
      run.serverCpuBusy === undefined
        ? ''
        : `, server CPU ${pct(run.serverCpuBusy)} = ${run.serverCpuUsPerReq.toFixed(1)} µs/req (user ${run.serverUserUsPerReq.toFixed(1)}, sys ${run.serverSysUsPerReq.toFixed(1)})`;
    const others =
      run.otherOnServerCpu === undefined ? '' : `, CPU${serverCpu ?? 0} other ${pct(run.otherOnServerCpu)}, CPU${loadCpu ?? 1} ${pct(run.loadCpuBusy)}`;
    const noisy = isNoisy(run) ? `  <- NOISY: ${isNoisy(run)}` : '';
    const redis = result.redis ? `, redis ${result.redis.perRequest.toFixed(2)} cmd/req` : '';
    console.log(
      `rep ${rep}/${reps} ${key.padEnd(14)} ${Math.round(result.rps).toLocaleString('en-US').padStart(7)} req/s, p99 ${result.latencyMs.p99.toFixed(2)} ms${busy}${others}${redis}${noisy}`,
    );
    return run;
  } finally {
    await stopServer(server);
    current = null;
    if (variant.redis) await dropPrefix(prefix);
  }
}

// Interrupted (Ctrl-C, kill): stop the server under test and keep what was measured.
let current = null;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    if (current) await stopServer(current);
    console.error(`\ninterrupted by ${signal}; partial results: ${save({ error: `interrupted by ${signal}` })}`);
    process.exit(130);
  });
}

process.on('exit', (code) => {
  if (code !== 0 && current) console.error(`exiting with code ${code} while ${current.pid} was under test`);
});

function save(extra = {}) {
  const dir = join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${meta.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ meta, runs, retries, summary: summarize(runs, variants), ...extra }, null, 2));
  return file;
}

if (variants.some((key) => catalog[key].redis)) {
  meta.redisPinned = await pinRedis(loadCpu);
}

console.log(
  `commit ${source.commit}${source.packagesDirty.length ? ` + ${source.packagesDirty.length} uncommitted change(s) in the measured packages` : ''}, sources ${source.sourcesHash}`,
);
for (const { commit, sourcesHash } of againsts)
  console.log(`against ${commit}: every variant of ours also built from the packages at that commit (sources ${sourcesHash})`);
console.log(`${meta.loadTool} | node ${meta.node} | ${meta.cpus} CPUs | ${pin ? 'server on CPU0, load on CPU1' : 'unpinned'}`);
console.log(
  `${opt.check ? 'check' : `${reps} reps × ${duration} s (+${warmup} s warm-up)`}, -t${threads} -c${connections}, GET /me, runtime ${opt.runtime}, variants: ${variants.join(', ')}\n`,
);
try {
  for (let rep = 1; rep <= (opt.check ? 1 : reps); rep++) {
    for (const key of variants) {
      let run;
      try {
        run = await measure(rep, key);
      } catch (error) {
        // Socket errors without any non-2xx response: retry once (recorded), then fail.
        if (!error.retryable) throw error;
        console.warn(`warning: ${error.message.split('\n')[0]}; retrying once`);
        retries.push({ rep, variant: key, error: error.message });
        run = await measure(rep, key);
      }
      // A run disturbed by other work on the machine is redone (and kept in the record).
      for (let redo = 0; run && isNoisy(run) && redo < Number(opt['redo-noisy']); redo++) {
        runs.splice(runs.indexOf(run), 1);
        retries.push({ rep, variant: key, noisy: isNoisy(run), discarded: run });
        console.warn(`  redoing ${key} (${redo + 1}/${opt['redo-noisy']}): ${isNoisy(run)}`);
        run = await measure(rep, key);
      }
    }
  }
} catch (error) {
  await releaseRedis();
  if (!opt.check) console.error(`partial results: ${save({ error: String(error?.stack ?? error) })}`);
  console.error(`\nFAILED: ${error?.message ?? error}`);
  process.exit(1);
}
await releaseRedis();
if (opt.check) process.exit(0);

const sourceAfter = sourceState(root);
if (sourceAfter.sourcesHash !== source.sourcesHash || sourceAfter.commit !== source.commit) {
  meta.sourcesChangedDuringRun = sourceAfter;
  console.warn(
    `\nWARNING: the measured packages changed during the run (commit ${source.commit} → ${sourceAfter.commit}, sources ${source.sourcesHash} → ${sourceAfter.sourcesHash})${opt.runtime === 'tsx' ? '; servers started at different times ran different code: rerun' : '; the compiled bundles were built at the start and are consistent'}.`,
  );
}
const summary = summarize(runs, variants);
console.log(`\nGET /me, Node ${meta.node}, runtime ${opt.runtime}, median of ${reps} interleaved runs (server CPU µs/req = server CPU time ÷ requests)\n`);
console.log(formatTable({ runs, summary, catalog, baseline: BASELINE, peers: PEERS }));
console.log('');
for (const goal of GOALS) {
  if (!summary[goal.variant] || !summary[goal.vs]) continue;
  const ratio = summary[goal.variant].rps / summary[goal.vs].rps;
  const paired = pairedRatio(runs, goal.variant, goal.vs);
  const met = ratio >= goal.minRatio;
  console.log(`goal: ${goal.variant} ≥ ${goal.minRatio} × ${goal.vs}: ${ratio.toFixed(2)} (paired ${paired.median.toFixed(2)}) → ${met ? 'MET' : 'NOT MET'}`);
}
if (againsts.length > 0) console.log(`\n${formatAgainst({ runs, summary, variants, catalog, baseline: BASELINE })}`);
const noisyKept = runs.filter(isNoisy);
if (retries.length > 0 || noisyKept.length > 0) {
  console.log(
    `\n${retries.length} run(s) redone (socket errors or noisy); ${noisyKept.length} noisy run(s) kept in the medians${noisyKept.length ? `: ${noisyKept.map((r) => `${r.variant} rep ${r.rep}`).join(', ')}` : ''}`,
  );
}
console.log(`\nraw results: ${save()}`);
