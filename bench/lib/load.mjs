// Load generators: wrk (preferred) and autocannon (fallback). Both return the same shape:
// { tool, requests, seconds, rps, latencyMs: {p50,p75,p90,p99,max}, non2xx, errors }.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pinned } from './server.mjs';

const run = promisify(execFile);

export async function findWrk() {
  try {
    const { stdout, stderr } = await run('wrk', ['--version']).catch((e) => e); // wrk exits 1 on --version
    const text = `${stdout ?? ''}${stderr ?? ''}`;
    return /wrk/.test(text) ? text.split('\n')[0].trim() : null;
  } catch {
    return null;
  }
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
function toMs(text) {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`cannot parse wrk duration "${text}"`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

/** Parses wrk's text output (with --latency). Throws when a field is missing. */
export function parseWrk(text) {
  const need = (re, what) => {
    const m = re.exec(text);
    if (!m) throw new Error(`wrk output has no ${what}:\n${text}`);
    return m;
  };
  const total = need(/(\d+) requests in ([\d.]+)(us|ms|s|m|h)/, 'request count');
  const pct = (p) => toMs(need(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm'), `${p}% latency`)[1]);
  const latencyLine = need(/^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)/m, 'latency summary');
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requests: Number(total[1]),
    seconds: toMs(total[2] + total[3]) / 1000,
    rps: Number(need(/Requests\/sec:\s+([\d.]+)/, 'Requests/sec')[1]),
    latencyMs: { avg: toMs(latencyLine[1]), p50: pct(50), p75: pct(75), p90: pct(90), p99: pct(99), max: toMs(latencyLine[3]) },
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    errors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    socketErrors: socket ? socket[0] : null,
  };
}

// `credential` is a whole header line: `Cookie: …` or `Authorization: Bearer …`.
export async function wrk({ url, credential, seconds, connections, threads, cpu }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', ...(credential ? ['-H', credential] : []), url];
  const command = pinned(cpu, ['wrk', ...args]);
  const { stdout } = await run(command[0], command.slice(1), { maxBuffer: 1 << 20 });
  return { tool: 'wrk', ...parseWrk(stdout) };
}

export async function autocannon({ root, url, credential, seconds, connections, threads, cpu }) {
  const bin = join(root, 'node_modules/autocannon/autocannon.js');
  if (!existsSync(bin)) throw new Error('neither wrk nor autocannon is available (apt-get install wrk, or npm install -D autocannon)');
  const args = [
    '-c',
    String(connections),
    ...(threads > 1 ? ['-w', String(threads)] : []),
    '-d',
    String(seconds),
    '-j',
    ...(credential ? ['-H', credential] : []),
    url,
  ];
  const command = pinned(cpu, [process.execPath, bin, ...args]);
  const { stdout } = await run(command[0], command.slice(1), { maxBuffer: 16 << 20 });
  const r = JSON.parse(stdout);
  return {
    tool: 'autocannon',
    requests: r.requests.total,
    seconds: r.duration,
    rps: r.requests.total / r.duration,
    latencyMs: { avg: r.latency.average, p50: r.latency.p50, p75: r.latency.p75, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    socketErrors: `errors ${r.errors}, timeouts ${r.timeouts}`,
  };
}
