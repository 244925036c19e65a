// Runs the `coatcheck` bin as a child process, the way an operator does, and collects its
// output and exit code. The TypeScript sources run through tsx with the `source` condition,
// so the tests need no build.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after } from 'node:test';
import type { SessionStats } from '../../src/commands/stats.js';

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

/** Runs `coatcheck ...args`; `env` is added to a copy of this process's environment. */
export function runCli(args: readonly string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, NODE_OPTIONS: '', ...options.env };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=source', '--import', tsx, bin, ...args], { env, cwd: options.cwd, timeout: 60_000 }, (error, stdout, stderr) => {
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
