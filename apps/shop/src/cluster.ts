/**
 * `npm run start:cluster`: two shop instances on one machine, to see what scaling out does to
 * sessions and sockets. Instance 1 listens on `PORT` (3000), instance 2 on `PORT + 1`.
 *
 * Both share the data directory (so the session secret and the users' SQLite file) and keep
 * sessions in that SQLite file, whose change table is their bus (or in Redis with `REDIS_URL`,
 * in Postgres with `DATABASE_URL`, and then on that server's bus). The bus carries
 * revocations and broadcasts: log in on :3000, open the page on :3001 in another browser,
 * revoke one from the other, and the socket on the other instance closes at once.
 *
 * It builds the page first if needed (as `npm start` does). SIGINT/SIGTERM stop both instances (each finishes its requests and closes its sockets);
 * if one instance dies, the other is stopped too and the exit code is 1.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ConfigError, readConfig } from './config.js';
import { resolveEncryptionKeys, resolveSecrets } from './secret.js';
import { ensureWebBuilt } from './web-build.js';

/** How many instances, on consecutive ports. */
export const INSTANCES = 2;
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

function prefixLines(stream: NodeJS.ReadableStream, label: string, out: NodeJS.WriteStream): void {
  createInterface({ input: stream }).on('line', (line) => out.write(`${label} ${line}\n`));
}

function startInstance(port: number, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal reaches this process only, which then
    // stops each instance once (a second signal would make an instance exit without waiting).
    detached: true,
  });
  prefixLines(child.stdout!, `[:${port}]`, process.stdout);
  prefixLines(child.stderr!, `[:${port}]`, process.stderr);
  return child;
}

/** Builds the page once, here, so two instances never race to build it. */
async function buildPage(): Promise<void> {
  try {
    if (await ensureWebBuilt()) console.log('shop cluster: built the page');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    console.warn('shop cluster: vite is not installed, so the page was not built; the API still runs.');
  }
}

async function main(): Promise<void> {
  const config = readConfig(process.env);
  if (config.port === 0 || config.port + INSTANCES - 1 > 65535) {
    throw new ConfigError(`PORT must leave room for ${INSTANCES} consecutive ports (from 1 to ${65536 - INSTANCES}); got ${config.port}.`);
  }
  await buildPage();
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // Generated here, once, before the instances start: both then read the same file.
  resolveSecrets(config.secrets, config.dataDir);
  resolveEncryptionKeys(config.encryptionKeys, config.dataDir);
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: config.dataDir };

  const running = new Set<ChildProcess>();
  let stopping = false;
  let failed = false;
  const stopAll = () => {
    stopping = true;
    for (const child of running) child.kill('SIGTERM');
  };
  for (let i = 0; i < INSTANCES; i++) {
    const port = config.port + i;
    const child = startInstance(port, env);
    running.add(child);
    child.once('exit', (code, signal) => {
      running.delete(child);
      if (code !== 0) failed = true;
      if (!stopping) {
        console.error(`shop cluster: the instance on :${port} exited (${signal ?? code}); stopping the other`);
        stopAll();
      }
      if (running.size === 0) process.exit(failed ? 1 : 0);
    });
  }
  console.log(
    `shop cluster: ${INSTANCES} instances on ${config.host}:${config.port}-${config.port + INSTANCES - 1}, sessions in ${config.redisUrl ?? (config.databaseUrl ? 'Postgres' : 'the SQLite file')}, data in ${config.dataDir}`,
  );
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  // Detached children would outlive this process if it died some other way.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGTERM');
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `shop cluster: ${error.message}` : error);
  process.exitCode = 1;
});
