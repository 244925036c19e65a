/**
 * The command table, top-level help and the one place errors become exit codes.
 *
 * @module
 */
import { parseCommandArgs, type Command } from './command.js';
import { CliError, EXIT_CODES } from './errors.js';
import { processIo, type CliIo } from './io.js';
import { doctorCommand } from './commands/doctor.js';
import { keysCommand } from './commands/keys.js';
import { pruneCommand } from './commands/prune.js';
import { revokeCommand } from './commands/revoke.js';
import { secretCommand } from './commands/secret.js';
import { sessionsCommand } from './commands/sessions.js';
import { statsCommand } from './commands/stats.js';
import { reencryptCommand } from './commands/reencrypt.js';

const COMMANDS: readonly Command[] = [secretCommand, keysCommand, sessionsCommand, revokeCommand, statsCommand, pruneCommand, reencryptCommand, doctorCommand];

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: coatcheck <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Every command takes --help and --json. Store commands take --store URL (or COATCHECK_STORE):
  sqlite:./sessions.db   redis://host:6379   rediss://host:6380   postgres://user@host/db
  redis+cluster://host:7000,host:7001   redis+sentinel://host:26379,host:26380/mymaster

Exit codes: 0 ok, 1 findings or failure, 2 usage error, 3 store or app unreachable,
4 a needed package is not installed.
Guide: https://github.com/coatcheck/coatcheck/blob/main/docs/cli.md`;
}

/**
 * Runs the `coatcheck` command line with `argv` (without `node` and the script) and resolves
 * to the exit code. Never rejects for an expected failure: it prints what to do instead.
 *
 * @example
 * ```ts
 * import { runCli } from '@coatcheck/cli'
 * process.exitCode = await runCli(['secret'])
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(topHelp());
    return name === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  const json = rest.includes('--json');
  try {
    if (!command) throw new CliError('ERR_CLI_USAGE', `unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. See: coatcheck --help`);
    const { values, positionals } = parseCommandArgs(command, rest);
    if (values.help) {
      io.out(command.help);
      return EXIT_CODES.ok;
    }
    return await command.run({ values, positionals, io, json: values.json === true });
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    if (json) io.out(JSON.stringify({ error: { code: error.code, message: error.message } }, null, 2));
    io.err(`coatcheck: ${error.message}`);
    return error.exitCode;
  }
}
