/**
 * Where a command writes, and the one rule for `--json`: a single JSON document on stdout,
 * or the human text. Internal.
 *
 * @module
 */

/** Output streams and environment of one run; tests and embedders pass their own. */
export interface CliIo {
  /** Writes to standard output (a newline is added). */
  out(line: string): void;
  /** Writes to standard error (a newline is added). */
  err(line: string): void;
  /** Environment variables (`SESSION_SECRET`, `COATCHECK_STORE`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  };
}

/** Prints `value` as JSON when `json` is set, else the lines `render` gives. */
export function emit<T>(io: CliIo, json: boolean, value: T, render: (value: T) => string[]): void {
  if (json) io.out(JSON.stringify(value, null, 2));
  else for (const line of render(value)) io.out(line);
}

/** An epoch-ms time as ISO 8601, or `-`. */
export function formatTime(ms: number | null | undefined): string {
  return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : '-';
}

/** A duration in ms as `3d 4h`, `5m 2s`, `800ms`; negative durations get a leading `-`. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest < 1000) return `${sign}${rest}ms`;
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const parts: string[] = [];
  for (const [unit, size] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    } else if (parts.length > 0) break;
  }
  return sign + parts.join(' ');
}
