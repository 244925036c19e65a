// Runs the `coatcheck` command line and collects its output and exit code. By default the
// command runs in this process, through the same `runCli(argv, io)` the bin calls, with its
// own streams and environment: a child process per command cost a second of start-up each and
// made the CLI's suite the slowest of the unit set. `{ process: true }` runs the real bin as a
// child process, the way an operator does (the TypeScript sources through tsx with the
// `source` condition, so no build is needed); the bin's own tests use it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after } from 'node:test';
import type { SessionStats } from '../../src/commands/stats.js';
import { runCli as runInProcess } from '../../src/main.js';

const bin = fileURLToPath(new URL('../../src/bin.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** What `stats --json` prints. */
export type StatsReport = SessionStats & { store: string; at: number; size: { bytes: number | null; what: string } };

/** What one run printed and how it ended. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runCli}. */
export interface RunOptions {
  /** Added to a copy of this process's environment (`undefined` removes a variable). */
  env?: Record<string, string | undefined>;
  /** Runs the real bin in a child process (needed for `cwd`). */
  process?: boolean;
  /** The child process's working directory (implies `process`). */
  cwd?: string;
}

/** Runs `coatcheck ...args`. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, NODE_OPTIONS: '', ...options.env };
  if (options.process || options.cwd !== undefined) return runProcess(args, env, options.cwd);
  return runHere(args, env);
}

async function runHere(args: readonly string[], env: Record<string, string | undefined>): Promise<CliResult> {
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  let stdout = '';
  let stderr = '';
  const io = { out: (line: string) => void (stdout += `${line}\n`), err: (line: string) => void (stderr += `${line}\n`), env };
  try {
    const code = await runInProcess(args, io);
    return { code, stdout, stderr };
  } catch (error) {
    // What bin.ts does with a bug: print it whole, exit 1.
    return { code: 1, stdout, stderr: `${stderr}${inspect(error)}\n` };
  }
}

function runProcess(args: readonly string[], env: Record<string, string | undefined>, cwd: string | undefined): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=source', '--import', tsx, bin, ...args], { env, cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `runCli` with `--json` appended, its stdout parsed. */
export async function runJson<T = Record<string, unknown>>(args: readonly string[], options?: Parameters<typeof runCli>[1]): Promise<CliResult & { json: T }> {
  const result = await runCli([...args, '--json'], options);
  let json: T;
  try {
    json = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
  }
  return { ...result, json };
}

/** A temporary directory removed after the file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coatcheck-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
