/**
 * `@coatcheck/cli`: the `coatcheck` command for operators of apps built on coatcheck, and
 * the same commands as a function for scripts and tests.
 *
 * @example
 * ```ts
 * import { runCli } from '@coatcheck/cli'
 * const code = await runCli(['doctor', '--store', 'redis://127.0.0.1:6379'])
 * ```
 *
 * @module
 */
export { runCli } from './main.js';
export { CliError, EXIT_CODES, type CliErrorCode } from './errors.js';
export type { CliIo } from './io.js';
