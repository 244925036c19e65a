// Login latency under a flood of bogus logins: does a real user still get in quickly?
//
// Starts the real shop (apps/shop/src/main.ts: scrypt at N=2^17, the hashing gate, the
// THROTTLE_* defaults, sessions and limits in SQLite) on a free port, registers one user, and
// measures the median of `--tries` sequential logins of that user:
//
// 1. idle;
// 2. with `--flood` bogus logins in flight the whole time (each answered one is replaced at
//    once, ignoring Retry-After, as an attacker would), spraying made-up usernames with wrong
//    passwords from `--flood-addresses` loopback addresses (127.0.0.2, 127.0.0.3, ...).
//
// The shop trusts no proxy here, so the flood's addresses are real source addresses (the
// client binds them), never X-Forwarded-For, which the shop would rightly ignore. The real
// user logs in from addresses of its own (127.0.1.x, one per try): 2 × tries logins from one
// address within a minute would trip that address's own limit, which is the limit's job and not
// what is measured. What keeps the real login fast: the flood's address is held to its
// THROTTLE_LOGIN_ADDRESS rate (5 at once, then one per 2 s), every attempt past it is
// answered 429 before any hashing, and the hashing gate (2 at once, 16 waiting, shared fairly
// between addresses, its last slot kept for an address it has not served lately) bounds what
// does get through and starts the real login's hash first. The flood sprays made-up
// accounts: one aimed at the real user's account from many addresses would spend that
// account's ceiling (THROTTLE_LOGIN_ACCOUNT) and the real login would wait for a slot, the
// trade-off docs/rate-limit.md describes.
//
// Prints both medians and their ratio (target: ≤ 2×) and what the flood got back. Not a test:
// timings on a shared machine are figures, not assertions.
//
//   node bench/login-flood.mjs [--tries 20] [--flood 100] [--flood-addresses 1] [--warmup 3]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseScriptArgs } from '../scripts/lib/script-args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseScriptArgs(import.meta.url, {
  options: {
    tries: { type: 'string', default: '20' },
    flood: { type: 'string', default: '100' },
    'flood-addresses': { type: 'string', default: '1' },
    warmup: { type: 'string', default: '3' },
  },
});
const tries = Number(values.tries);
const flood = Number(values.flood);
const floodAddresses = Number(values['flood-addresses']);
const warmupMs = Number(values.warmup) * 1000;
for (const [name, value, max] of [
  ['--tries', tries, 250],
  ['--flood', flood, 1000],
  ['--flood-addresses', floodAddresses, 250],
]) {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${name} must be an integer from 1 to ${max}`);
}
const USER = { username: 'ada', password: 'correct horse battery staple' };

/** Starts main.ts as `npm start` does (real hashing, default throttles); resolves with its URL. */
async function startShop(dataDir) {
  const { SESSION_SECRET: _secret, TOKEN_KEYS: _keys, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'apps/shop/src/main.ts')], {
    cwd: root,
    env: { ...inherited, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the shop did not start in 30 s:\n${lines.join('\n')}`)), 30_000);
    const collect = (line) => {
      lines.push(line);
      const msg = (() => {
        try {
          return String(JSON.parse(line).msg);
        } catch {
          return line;
        }
      })();
      if (msg.startsWith('shop listening on ')) {
        clearTimeout(timer);
        // From here on the log is drained unread: parsing a line per request would load this
        // process, which shares the machine with the shop.
        for (const reader of readers) reader.close();
        child.stdout.resume();
        child.stderr.resume();
        resolve(msg.slice('shop listening on '.length));
      }
    };
    const readers = [createInterface({ input: child.stdout }), createInterface({ input: child.stderr })];
    for (const reader of readers) reader.on('line', collect);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the shop exited (${code}) before listening:\n${lines.join('\n')}`));
    });
  });
  return {
    url: new URL(url),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** POST `path` with a JSON body from `localAddress`; resolves with the status, `Retry-After` and time in ms. */
function post(url, path, body, localAddress, agent) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const started = performance.now();
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        localAddress,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, retryAfter: Number(res.headers['retry-after'] ?? 1), ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

let realAddress = 0;
/**
 * `tries` sequential logins of the real user, each from a fresh loopback address; their times.
 * A refused one (503 from a full hashing gate, 429) is retried after `Retry-After`, as a
 * person would, and the time counts until they are in.
 */
async function measure(url) {
  const times = [];
  let refusals = 0;
  for (let i = 0; i < tries; i++) {
    realAddress++;
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      // A fresh connection per try (agent: false): the address is the connection's.
      const { status, retryAfter } = await post(url, '/login', USER, `127.0.1.${realAddress}`, false);
      if (status === 200) break;
      if ((status !== 503 && status !== 429) || attempt === 10) throw new Error(`the real login answered ${status}`);
      refusals++;
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    }
    times.push(performance.now() - started);
  }
  return { times, refusals };
}

/** Keeps `flood` bogus logins in flight until stopped; counts the answers by status. */
function startFlood(url) {
  const counts = new Map();
  const agents = Array.from({ length: floodAddresses }, (_, i) => new Agent({ keepAlive: true, localAddress: `127.0.0.${i + 2}` }));
  let stopping = false;
  let sent = 0;
  const worker = async (w) => {
    const agent = agents[w % floodAddresses];
    while (!stopping) {
      const n = sent++;
      try {
        const { status } = await post(url, '/login', { username: `spray${n}`, password: `Summer${n}!` }, undefined, agent);
        counts.set(status, (counts.get(status) ?? 0) + 1);
      } catch (error) {
        counts.set(error.code ?? 'error', (counts.get(error.code ?? 'error') ?? 0) + 1);
      }
    }
  };
  const workers = Array.from({ length: flood }, (_, w) => worker(w));
  return {
    counts,
    async stop() {
      stopping = true;
      await Promise.all(workers);
      for (const agent of agents) agent.destroy();
    },
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'coatcheck-login-flood-'));
const shop = await startShop(dataDir);
try {
  const registered = await post(shop.url, '/register', USER, '127.0.1.250', false);
  if (registered.status !== 201) throw new Error(`registering answered ${registered.status}`);
  // One login to warm up the process (JIT, the SQLite statements) before anything is measured.
  await post(shop.url, '/login', USER, '127.0.1.251', false);

  const { times: idle } = await measure(shop.url);
  const attack = startFlood(shop.url);
  // The flood's first burst (its address's allowance, at most the gate's queue) is absorbed
  // before measuring: what is measured is a login while the flood goes on.
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  const { times: flooded, refusals } = await measure(shop.url);
  await attack.stop();

  const idleMedian = median(idle);
  const floodMedian = median(flooded);
  const ratio = floodMedian / idleMedian;
  const answered = [...attack.counts].sort(([a], [b]) => String(a).localeCompare(String(b)));
  console.log(`login-flood: Node ${process.version}, ${tries} tries, ${flood} bogus logins in flight from ${floodAddresses} address(es)`);
  console.log(`  idle median      ${idleMedian.toFixed(1)} ms  (min ${Math.min(...idle).toFixed(1)}, max ${Math.max(...idle).toFixed(1)})`);
  console.log(
    `  flooded median   ${floodMedian.toFixed(1)} ms  (min ${Math.min(...flooded).toFixed(1)}, max ${Math.max(...flooded).toFixed(1)}; ${refusals} refused and retried)`,
  );
  console.log(`  ratio            ${ratio.toFixed(2)}×  (target ≤ 2×: ${ratio <= 2 ? 'met' : 'missed'})`);
  console.log(`  flood answers    ${answered.map(([status, n]) => `${status}: ${n}`).join(', ')}`);
  console.log(`  idle tries ms    ${idle.map((ms) => ms.toFixed(0)).join(' ')}`);
  console.log(`  flooded tries ms ${flooded.map((ms) => ms.toFixed(0)).join(' ')}`);
} finally {
  await shop.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
