/**
 * Runs the apps the guides print, from the Markdown itself: a snippet marked
 * `<!-- consumer: APP/FILE -->` on the line before its fence is written into a scratch
 * folder with a user's compiler options and started as a process, so a guide cannot drift
 * from the code. The type-check of every such app (strict, nodenext, skipLibCheck false) is
 * the consumer test's, against the packed tarballs.
 *
 * Inside the monorepo the packages resolve to their sources (the `source` condition).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above this package). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The body of the fenced block right after `<!-- consumer: marker -->` in a Markdown file. */
export function readSnippet(markdownPath: string, marker: string): string {
  const lines = readFileSync(resolve(REPO_ROOT, markdownPath), 'utf8').split('\n');
  const at = lines.findIndex((line) => line.trim() === `<!-- consumer: ${marker} -->`);
  if (at === -1) throw new Error(`${markdownPath} has no "<!-- consumer: ${marker} -->" marker`);
  const fence = /^(`{3,})/.exec(lines[at + 1] ?? '')?.[1];
  if (fence === undefined) throw new Error(`${markdownPath}: the line after the ${marker} marker must open a fence`);
  const end = lines.findIndex((line, i) => i > at + 1 && line.startsWith(fence));
  if (end === -1) throw new Error(`${markdownPath}: the ${marker} fence is never closed`);
  return `${lines.slice(at + 2, end).join('\n')}\n`;
}

/** A scratch app folder with its files. */
export interface DocApp {
  readonly dir: string;
  /** Removes the folder. */
  remove(): void;
}

/**
 * Writes `files` into a new folder under `node_modules/.cache` of the repository (so the
 * workspace packages resolve), with `"type": "module"` and a user's strict tsconfig.
 */
export function writeDocApp(files: Record<string, string>): DocApp {
  const parent = join(REPO_ROOT, 'node_modules', '.cache', 'doc-apps');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'app-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  // The user's settings the consumer test checks tarballs with, plus the workspace's `source`
  // condition so the packages resolve to their TypeScript sources.
  const { '//': _comment, ...userOptions } = JSON.parse(readFileSync(join(REPO_ROOT, 'scripts', 'consumer', 'compiler-options.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const compilerOptions = { ...userOptions, types: ['node'], customConditions: ['source'] };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A started app. */
export interface RunningDocApp {
  /** The address it printed (`listening on <url>`). */
  readonly url: string;
  /** Everything it wrote so far. */
  output(): string;
  /** Stops it and waits for the exit. */
  stop(): Promise<void>;
}

/** Node flags that run TypeScript sources of the workspace. */
export const SOURCE_NODE_OPTIONS = '--conditions=source --import tsx';

/**
 * Starts `file` of the folder with `env` and resolves once it prints `listening on <url>`;
 * rejects with its output if it exits or stays silent for `timeoutMs`.
 */
export function startDocApp(app: DocApp, file: string, env: Record<string, string>, timeoutMs = 30_000): Promise<RunningDocApp> {
  const child = spawn(process.execPath, [file], {
    cwd: app.dir,
    env: { ...process.env, NODE_OPTIONS: SOURCE_NODE_OPTIONS, NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill();
      fail(new Error(`${file} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (https?:\/\/\S+)/.exec(output)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      done({
        url,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null) child.kill();
          await exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${file} exited with ${code} before listening:\n${output}`));
    });
  });
}
