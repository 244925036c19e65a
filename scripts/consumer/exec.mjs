// Child processes for the consumer test: commands whose output is kept for the failure message,
// and long-running apps whose output is collected while they serve.
import { spawn, spawnSync } from 'node:child_process';

/** Runs a command to completion; throws with its output when it fails. */
export function runCommand(command, args, { cwd, env = process.env, what } = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (Date.now() - started) / 1000;
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(`${what ?? `${command} ${args.join(' ')}`} failed (exit ${result.status ?? result.signal}, in ${cwd}):\n${output.slice(-6000)}`);
  }
  return { stdout: result.stdout, stderr: result.stderr, seconds };
}

/** Starts a long-running process; its stdout and stderr are collected in `output()`. */
export function startProcess(command, args, { cwd, env }) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', (error) => (stderr += `\n${error.message}`));
  return {
    child,
    exited,
    output: () => `--- stdout ---\n${stdout.trim().slice(-4000)}\n--- stderr ---\n${stderr.trim().slice(-4000)}`,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
