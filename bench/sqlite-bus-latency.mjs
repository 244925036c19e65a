// How long a revocation takes to reach another process through the SQLite bus.
//
// Two processes share one SQLite file, each with the manager's default settings (the store's
// bus and the local cache). Per trial, process A logs a user in and hands the cookie to
// process B, which loads the session until its cache serves it; then A revokes the user's
// sessions, and B, loading the session in a loop (yielding to the event loop between loads,
// as a busy server does), notes when it first refuses it. The delay is B's refusal minus the
// moment A started the revocation, both read from `performance.timeOrigin + performance.now()`
// (one machine, one clock). Prints the median, p99 and maximum over the trials.
//
// Not a test: timings on a shared machine are figures, not assertions.
//
//   node --conditions=source --import tsx bench/sqlite-bus-latency.mjs [--trials 300] [--poll 10]
//
// `--poll` sets the bus's pollIntervalMs (default: the store's bus, 10 ms).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScriptArgs } from '../scripts/lib/script-args.mjs';
import { createSessionManager } from 'coatcheck';
import { sqliteBus, sqliteStore } from '@coatcheck/sqlite';

const { values } = parseScriptArgs(import.meta.url, {
  options: { trials: { type: 'string', default: '300' }, poll: { type: 'string' }, child: { type: 'string' } },
});
const clock = () => performance.timeOrigin + performance.now();

/** The manager of one process: defaults, or the bus with `--poll`. */
function open(filename, secret) {
  const store = sqliteStore({ filename, pruneIntervalMs: 0 });
  const bus = values.poll ? { bus: sqliteBus({ database: store.db, pollIntervalMs: Number(values.poll) }) } : {};
  return { store, manager: createSessionManager({ store, secrets: [secret], production: true, ...bus }) };
}

/** Process B: warms its cache with each cookie it is sent, then reports when it refuses it. */
async function child([filename, secret]) {
  const { manager } = open(filename, secret);
  let gets = 0;
  manager.onStoreCall(({ op }) => void (op === 'get' && gets++));
  const yieldOnce = () => new Promise((resolve) => setImmediate(resolve));
  const load = async (cookie) => {
    const before = gets;
    const session = await manager.load({ cookie, secure: true });
    return { valid: session.status === 'valid', cached: gets === before };
  };
  process.on('message', async ({ cookie }) => {
    for (;;) {
      const { valid, cached } = await load(cookie);
      if (valid && cached) break;
      await yieldOnce();
    }
    process.send({ warm: true });
    for (;;) {
      await yieldOnce();
      if (!(await load(cookie)).valid) break;
    }
    process.send({ refusedAt: clock() });
  });
  process.send({ ready: true });
}

async function main() {
  const trials = Number(values.trials);
  const dir = mkdtempSync(join(tmpdir(), 'coatcheck-bus-latency-'));
  const filename = join(dir, 'sessions.db');
  const secret = randomBytes(32).toString('base64url');
  const { store, manager } = open(filename, secret);
  const b = fork(new URL(import.meta.url).pathname, ['--child', JSON.stringify([filename, secret]), ...(values.poll ? ['--poll', values.poll] : [])]);
  const next = () => new Promise((resolve) => b.once('message', resolve));
  await next();
  const delays = [];
  try {
    for (let i = 0; i < trials; i++) {
      const user = `user-${i}`;
      const session = await manager.load({ secure: true });
      await session.login(user);
      const cookie = ((await session.commit())[0] ?? '').split(';')[0];
      const warm = next();
      b.send({ cookie });
      await warm;
      const refused = next();
      const startedAt = clock();
      await manager.revokeAllSessions(user);
      const { refusedAt } = await refused;
      delays.push(refusedAt - startedAt);
    }
  } finally {
    b.kill();
    await manager.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  delays.sort((x, y) => x - y);
  const at = (q) => delays[Math.min(delays.length - 1, Math.ceil(q * delays.length) - 1)];
  const ms = (value) => `${value.toFixed(2)} ms`;
  console.log(`sqlite bus, revoke in A until B refuses (poll ${values.poll ?? 'default 10'} ms), ${trials} trials`);
  console.log(`median ${ms(at(0.5))}  p99 ${ms(at(0.99))}  max ${ms(delays.at(-1))}  min ${ms(delays[0])}`);
}

if (values.child) await child(JSON.parse(values.child));
else await main();
