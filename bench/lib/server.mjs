// Starts one variant's server pinned to a CPU, waits until it answers, stops it by pid.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Command prefix that pins to `cpu`, or [] when pinning is off. */
export function pinned(cpu, command) {
  return cpu === null ? command : ['taskset', '-c', String(cpu), ...command];
}

/**
 * runtime 'tsx': `node --conditions=source --import tsx bench/servers/<file>` (every variant,
 * so the loader setup is identical for all); 'compiled': `node <script>` (a plain JS file).
 */
export function startServer({ root, script, port, env, cpu, runtime = 'tsx', nodeArgs = [] }) {
  const loader = runtime === 'tsx' ? ['--conditions=source', '--import', 'tsx'] : [];
  const command = pinned(cpu, [process.execPath, ...loader, ...nodeArgs, script]);
  const child = spawn(command[0], command.slice(1), {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, pid: child.pid, exited, output: () => output };
}

export async function waitReady(server, port, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  server.exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`server exited before answering:\n${server.output()}`);
    try {
      await fetch(`http://127.0.0.1:${port}/me`, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`server did not answer on port ${port} within ${timeoutMs} ms:\n${server.output()}`);
}

export async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
  await server.exited;
  clearTimeout(timer);
}

let clockTicks;
const ticks = () => (clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);

/** CPU seconds used so far by `pid` ({ user, sys }), from /proc; null where unavailable. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / ticks(), sys: Number(fields[12]) / ticks() }; // utime, stime
  } catch {
    return null;
  }
}

/** Busy and steal seconds of one CPU so far, from /proc/stat; null where unavailable. */
export function cpuCoreSeconds(cpu) {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`cpu${cpu} `));
    const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return { busy: (user + nice + system + irq + softirq) / ticks(), steal: steal / ticks() };
  } catch {
    return null;
  }
}

/** Busy CPU-seconds of the whole machine so far (all cores), from /proc/stat. */
function machineBusy() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq) / ticks();
}

/**
 * Waits (up to `maxSeconds`) until the machine has been quiet for one second: less than
 * `threshold` of one CPU busy. Returns the last busy fraction seen (for the record).
 */
export async function waitQuiet(maxSeconds, threshold = 0.15) {
  const deadline = Date.now() + maxSeconds * 1000;
  let busy = NaN;
  do {
    const before = machineBusy();
    await new Promise((r) => setTimeout(r, 1000));
    busy = machineBusy() - before;
    if (busy < threshold) return { busy, quiet: true };
  } while (Date.now() < deadline);
  return { busy, quiet: false };
}
