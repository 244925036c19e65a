// Preloaded (NODE_OPTIONS --import) into every unit test process by `node scripts/test.mjs --unit`.
// A unit test must not need Redis, Postgres or a browser: connecting to their ports or starting
// their programs throws, and the process exits non-zero even if the test swallowed the error,
// so a service test that lands in the unit set fails loudly instead of passing by accident.
import net from 'node:net';
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

const HINT =
  'unit tests run without services: list this file in scripts/test-groups.mjs (SERVICE_TESTS), or keep the test free of Redis, Postgres and chromium';
const ports = new Map([
  [6379, 'Redis'],
  [5432, 'Postgres'],
]);
for (const [name, label] of [
  ['REDIS_URL', 'Redis'],
  ['DATABASE_URL', 'Postgres'],
]) {
  const value = process.env[name];
  if (!value) continue;
  try {
    const port = Number(new URL(value).port);
    if (port) ports.set(port, label);
  } catch {
    // Not a URL: nothing to add.
  }
}
const PROGRAMS = /(^|\/)(redis-server|redis-sentinel|redis-cli|postgres|pg_ctl|psql|chromium|chrome|chromium-browser)$/;
const SCRIPTED = /\b(redis-server|redis-sentinel|pg_ctl|chromium)\b/;
const violations = [];

function refuse(what) {
  const message = `unit test used ${what}: ${HINT}`;
  violations.push(message);
  return new Error(message);
}

function portOf(args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first && typeof first === 'object') return first.path ? undefined : Number(first.port);
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) return Number(first);
  return undefined;
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const port = portOf(args);
  if (port !== undefined && ports.has(port)) throw refuse(`${ports.get(port)} (port ${port})`);
  return connect.apply(this, args);
};

for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync']) {
  const original = childProcess[name];
  childProcess[name] = function guardedChild(file, ...rest) {
    if (typeof file === 'string' && PROGRAMS.test(file)) throw refuse(`the program ${file}`);
    // A shell running one of them (the Redis fixtures start redis-server under a watchdog).
    const args = Array.isArray(rest[0]) ? rest[0] : [];
    const script = args.find((arg) => typeof arg === 'string' && SCRIPTED.test(arg));
    if (/(^|\/)(ba|da)?sh$/.test(String(file)) && script) throw refuse(`a shell starting ${SCRIPTED.exec(script)[0]}`);
    return original.call(this, file, ...rest);
  };
}
syncBuiltinESMExports();

process.on('exit', () => {
  if (violations.length === 0) return;
  process.stderr.write(`\n${[...new Set(violations)].join('\n')}\n`);
  process.exitCode = 1;
});
