/**
 * What `doctor` reports: one finding per check, with its level and the fix. Internal.
 *
 * @module
 */

/** How bad a finding is: `fail` makes `doctor` exit 1. */
type FindingLevel = 'ok' | 'warn' | 'fail';

/** One check's result. */
export interface Finding {
  readonly level: FindingLevel;
  /** Which check: `secret`, `redis.eviction`, `http.cookie`, ... */
  readonly check: string;
  /** What was found. */
  readonly what: string;
  /** What to do about it; `null` for `ok`. */
  readonly fix: string | null;
}

/** An `ok` finding. */
export const ok = (check: string, what: string): Finding => ({ level: 'ok', check, what, fix: null });
/** A `warn` finding. */
export const warn = (check: string, what: string, fix: string): Finding => ({ level: 'warn', check, what, fix });
/** A `fail` finding. */
export const fail = (check: string, what: string, fix: string): Finding => ({ level: 'fail', check, what, fix });

/** The lines `doctor` prints for its findings. */
export function renderFindings(findings: readonly Finding[]): string[] {
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${`[${f.level}]`.padEnd(7)} ${f.check}: ${f.what}`);
    if (f.fix) lines.push(`        fix: ${f.fix}`);
  }
  const count = (level: FindingLevel) => findings.filter((f) => f.level === level).length;
  lines.push('', `${count('ok')} ok, ${count('warn')} warning(s), ${count('fail')} failure(s)`);
  return lines;
}
