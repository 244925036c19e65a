// The third-party checks of a packed tarball, shared by `npm run check:packages` and the
// release rehearsal: publint (strict, every level) and @arethetypeswrong/cli (every resolution
// mode but one rule, below).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { root, run } from './workspace.mjs';

// attw's CJSResolvesToESM ("require() of an ESM file") is an error only before Node 20.19
// and 22.12: since then require() loads ES modules without top-level await (these have
// none), engines says >=20.19, and TypeScript 5.8+ with "module": "nodenext" types it.
// Every other rule, node10 included, is checked.
const ATTW_IGNORED_RULES = ['cjs-resolves-to-esm'];
const ATTW_IGNORED_KINDS = new Set(['CJSResolvesToESM']);

/** What a summary line says about the rule left out. */
export const ATTW_NOTE = `attw rules ignored: ${ATTW_IGNORED_RULES.join(', ')}: require() of ES modules works on Node >=20.19`;

/**
 * Runs publint and attw on one tarball.
 * @param {string} tarball path of the .tgz
 * @returns {Promise<string[]>} one line per problem; empty when both are clean
 */
export async function lintTarball(tarball) {
  const problems = [];
  const lint = await publint({ pack: { tarball: readFileSync(tarball).buffer }, strict: true, level: 'suggestion' });
  for (const message of lint.messages) problems.push(`publint ${message.type}: ${formatMessage(message, lint.pkg)}`);

  const attw = run(join(root, 'node_modules/.bin/attw'), [tarball, '--format', 'json', '--ignore-rules', ...ATTW_IGNORED_RULES]);
  try {
    const report = JSON.parse(attw.output);
    // The JSON lists ignored problems too; the exit code and this filter agree.
    for (const [kind, list] of Object.entries(report.problems ?? {})) {
      if (ATTW_IGNORED_KINDS.has(kind)) continue;
      for (const problem of list) problems.push(`attw ${kind}: ${problem.entrypoint ?? ''} (${problem.resolutionKind ?? 'all'})`);
    }
    if (attw.code !== 0 && problems.length === 0) problems.push(`attw failed: ${attw.output.trim().slice(0, 500)}`);
  } catch {
    problems.push(`attw did not run: ${attw.output.trim().slice(0, 500)}`);
  }
  return problems;
}
