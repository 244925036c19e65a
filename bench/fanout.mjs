// Fan-out benchmark: coatcheck's realtime hub against Socket.IO 4 + @socket.io/redis-adapter
// and a hand-rolled floor (raw `ws` socket writes, bench/servers/fanout-ideal.mjs), side by
// side in one run, all cross-instance through the same Redis.
//
// 1. Fan-out: one server, N sockets (in a separate client process) in one room; the server
//    broadcasts `count` messages to the room, in two modes: one broadcast per event-loop turn
//    (each alone: one write per socket and broadcast, nothing to coalesce), and all `count`
//    in one turn (a burst). Reported three ways, best round of each:
//    pushed msg/s (N × count over the server's broadcast loop, until its event loop is free,
//    i.e. every frame is in the kernel), received msg/s (until the client process counted
//    N × count frames; bounded by that one client process), and messages per server
//    CPU-second over the whole round.
// 2. Cross-instance latency: two servers on one Redis; one socket on instance B; instance A
//    broadcasts a timestamped message `--samples` times, one at a time; p50/p99 of the delay
//    until the socket on B has it.
//
// npm run bench:fanout [-- --sizes 1000,10000 --count 20 --samples 500 --payload 100 --modes spaced,burst]
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScriptArgs } from '../scripts/lib/script-args.mjs';
import WebSocket from 'ws';
import { buildServers } from './lib/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseScriptArgs(import.meta.url, {
  options: {
    sizes: { type: 'string', default: '1000,10000' },
    count: { type: 'string', default: '20' },
    payload: { type: 'string', default: '100' },
    samples: { type: 'string', default: '1000' },
    reps: { type: 'string', default: '2' },
    port: { type: 'string', default: '3400' },
    modes: { type: 'string', default: 'spaced,burst' },
    systems: { type: 'string', default: 'coatcheck,socketio,ideal' },
  },
});
const sizes = values.sizes
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const count = Number(values.count);
const payloadSize = Number(values.payload);
const samples = Number(values.samples);
const reps = Number(values.reps);
let port = Number(values.port);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ORIGIN = 'http://bench.test';
const SECRET = randomBytes(32).toString('base64url');

const script = await buildServers(root, ['fanout-coatcheck.mjs']);
const SYSTEMS = {
  coatcheck: { file: script('fanout-coatcheck.mjs') },
  socketio: { file: join(root, 'bench/servers/fanout-socketio.mjs') },
  ideal: { file: join(root, 'bench/servers/fanout-ideal.mjs') },
};

function nextMessage(child, test) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message.error) reject(new Error(message.error));
      else if (test(message)) {
        child.off('message', onMessage);
        resolve(message);
      }
    };
    child.on('message', onMessage);
  });
}

async function startServer(kind, prefix) {
  const child = fork(SYSTEMS[kind].file, [], {
    execArgv: process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [],
    env: { ...process.env, PORT: String(port), REDIS_URL, PREFIX: prefix, SECRET, ORIGIN },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await nextMessage(child, (m) => m.ready);
  return { child, url: `ws://127.0.0.1:${port++}${ready.path}`, cookie: ready.cookie };
}

async function stop(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ cmd: 'stop' });
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
  child.kill('SIGKILL');
}

async function fanout(kind, n, spaced) {
  const prefix = `bench-fanout-${randomBytes(4).toString('hex')}:`;
  const server = await startServer(kind, prefix);
  const clients = fork(join(root, 'bench/fanout/clients.mjs'), [], {
    env: { ...process.env, URL_: server.url, COOKIE: server.cookie ?? '', ORIGIN, KIND: kind, N: String(n) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await nextMessage(clients, (m) => m.connected);
  const results = [];
  for (let round = 0; round < 3; round++) {
    // Round 0 warms up the JIT and is not recorded.
    const total = n * count;
    clients.send({ cmd: 'expect', total });
    await nextMessage(clients, (m) => m.expecting);
    const done = nextMessage(clients, (m) => m.done);
    const started = performance.timeOrigin + performance.now();
    const serverDone = nextMessage(server.child, (m) => m.done);
    server.child.send({ cmd: 'fanout', count, size: payloadSize, spaced });
    const { at } = await done;
    const { serverMs } = await serverDone;
    server.child.send({ cmd: 'cpu' });
    const { cpuMs } = await nextMessage(server.child, (m) => m.cpuMs !== undefined);
    if (round > 0) results.push({ rate: total / ((at - started) / 1000), perCpuSecond: total / (cpuMs / 1000), pushRate: total / (serverMs / 1000) });
  }
  clients.send({ cmd: 'stop' });
  await stop(server.child);
  const best = (key) => Math.max(...results.map((r) => r[key]));
  return { rate: best('rate'), perCpuSecond: best('perCpuSecond'), pushRate: best('pushRate') };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latency(kind) {
  const prefix = `bench-latency-${randomBytes(4).toString('hex')}:`;
  const a = await startServer(kind, prefix);
  const b = await startServer(kind, prefix);
  const ws = new WebSocket(b.url, { headers: { origin: ORIGIN, ...(b.cookie ? { cookie: b.cookie } : {}) } });
  let onArrival = () => {};
  let joined;
  const ready = new Promise((resolve) => (joined = resolve));
  ws.on('message', (data) => {
    const text = String(data);
    if (kind === 'socketio') {
      if (text[0] === '0') return ws.send('40');
      if (text === '2') return ws.send('3');
      if (text.startsWith('40')) return joined();
      if (text.startsWith('42')) return onArrival(JSON.parse(text.slice(2))[1].t);
      return;
    }
    const frame = JSON.parse(text);
    if (frame.type === 'ready') return joined();
    if (frame.type === 'message') onArrival(frame.data.t);
  });
  await ready;
  // Socket.IO's redis adapter subscribes asynchronously: give both a moment.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const delays = [];
  for (let i = 0; i < samples + 50; i++) {
    const arrived = new Promise((resolve) => (onArrival = (t) => resolve(performance.timeOrigin + performance.now() - t)));
    a.child.send({ cmd: 'publish' });
    const delay = await Promise.race([arrived, new Promise((resolve) => setTimeout(() => resolve(null), 2000))]);
    if (delay === null) throw new Error(`${kind}: a cross-instance message did not arrive`);
    if (i >= 50) delays.push(delay);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  ws.terminate();
  await stop(a.child);
  await stop(b.child);
  delays.sort((x, y) => x - y);
  return { p50: percentile(delays, 50), p99: percentile(delays, 99) };
}

const fmt = (x, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const KINDS = values.systems.split(',');
const MODES = values.modes.split(',').map((m) => m === 'spaced');
console.log(`fan-out: ${count} broadcasts of ${payloadSize} B to N sockets in one room, best of 2 rounds, ${reps} interleaved reps; Node ${process.version}`);
const rows = [];
const row = (label, values, digits = 0) =>
  rows.push(`| ${label} | ${values.map((v) => fmt(v, digits)).join(' | ')} | ${fmt(values[0] / values[1], 2)}× | ${fmt(values[0] / values[2], 2)}× |`);
for (const n of sizes) {
  for (const spaced of MODES) {
    const mode = spaced ? 'one broadcast per event-loop turn' : `bursts of ${count} in one turn`;
    const best = Object.fromEntries(KINDS.map((kind) => [kind, { rate: 0, perCpuSecond: 0, pushRate: 0 }]));
    for (let rep = 0; rep < reps; rep++) {
      for (const kind of rep % 2 === 0 ? KINDS : [...KINDS].reverse()) {
        const result = await fanout(kind, n, spaced);
        for (const key of Object.keys(result)) best[kind][key] = Math.max(best[kind][key], result[key]);
        console.log(
          `  N=${n} ${mode}, ${kind}: ${fmt(result.pushRate)} msg/s pushed by the server, ${fmt(result.rate)} msg/s received, ${fmt(result.perCpuSecond)} msg per server CPU-second`,
        );
      }
    }
    const of = (key) => KINDS.map((kind) => best[kind][key]);
    row(`N=${fmt(n)}, ${mode}: msg/s pushed by the server`, of('pushRate'));
    row(`N=${fmt(n)}, ${mode}: delivered msg/s (end to end)`, of('rate'));
    row(`N=${fmt(n)}, ${mode}: msg per server CPU-second`, of('perCpuSecond'));
  }
}
const lat = {};
for (const kind of KINDS) {
  lat[kind] = await latency(kind);
  console.log(`  cross-instance ${kind}: p50 ${fmt(lat[kind].p50, 3)} ms, p99 ${fmt(lat[kind].p99, 3)} ms`);
}
const inverse = (key) => KINDS.map((kind) => 1 / lat[kind][key]);
rows.push(
  `| cross-instance p50 (ms; ratio = how many times lower) | ${KINDS.map((k) => fmt(lat[k].p50, 3)).join(' | ')} | ${fmt(inverse('p50')[0] / inverse('p50')[1], 2)}× | ${fmt(inverse('p50')[0] / inverse('p50')[2], 2)}× |`,
);
rows.push(
  `| cross-instance p99 (ms; ratio = how many times lower) | ${KINDS.map((k) => fmt(lat[k].p99, 3)).join(' | ')} | ${fmt(inverse('p99')[0] / inverse('p99')[1], 2)}× | ${fmt(inverse('p99')[0] / inverse('p99')[2], 2)}× |`,
);
console.log('\n| measure | coatcheck | Socket.IO + redis-adapter | floor (raw ws writes) | ÷ Socket.IO | ÷ floor |\n|---|---:|---:|---:|---:|---:|');
console.log(rows.join('\n'));
