/**
 * The shape of a command and the argument parsing every command shares (Node's
 * `util.parseArgs`, strict: an unknown option is a usage error, never ignored). Internal.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors.js';
import type { CliIo } from './io.js';

/** Options as `util.parseArgs` takes them. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed option values. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** What a command's `run` receives. */
interface CommandContext {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly io: CliIo;
  readonly json: boolean;
}

/** One `coatcheck` command. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  readonly options: OptionSpec;
  /** Runs the command; resolves to the exit code, rejects with `CliError`. */
  run(context: CommandContext): Promise<number>;
}

/** Options every command takes. */
const COMMON_OPTIONS: OptionSpec = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
};

/** Parses `args` for `command`; throws a usage error naming the command's `--help`. */
export function parseCommandArgs(command: Command, args: readonly string[]): { values: OptionValues; positionals: string[] } {
  const options = { ...COMMON_OPTIONS, ...command.options };
  try {
    const parsed = parseArgs({ args: protectDashValues(args, options), options, allowPositionals: true, strict: true });
    return { values: parsed.values as OptionValues, positionals: parsed.positionals };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw usageError(`${reason}. See: coatcheck ${command.name} --help`);
  }
}

/**
 * Session ids are base64url, so one in 64 starts with `-`, which parseArgs takes for an
 * option: `--session -x3…` would be "ambiguous" and `sessions show -x3…` an unknown option.
 * A value after a string option is joined to it (`--session=-x3…`), and a token that is not
 * one of the command's options, nor shaped like one, is moved behind `--`, where it can only be
 * a positional.
 */
// What a mistyped option looks like (`--sesion`, `--dry-run=x`): lower-case words joined by
// dashes. It gets parseArgs' "Unknown option" error; an id such as `--3zmD…_5g` (one in 4,096
// starts with two dashes) is not shaped so, and stays an id.
const OPTION_SHAPE = /^--[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?:=|$)/;

function protectDashValues(args: readonly string[], options: Record<string, { type: 'string' | 'boolean'; short?: string }>): string[] {
  const known = new Map<string, 'string' | 'boolean'>();
  for (const [name, option] of Object.entries(options)) {
    known.set(`--${name}`, option.type);
    if (option.short) known.set(`-${option.short}`, option.type);
  }
  const out: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i] as string;
    if (token === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    const type = known.get(token);
    const next = args[i + 1];
    if (type === 'string' && next !== undefined && next.startsWith('-') && !known.has(next)) {
      out.push(`${token}=${next}`);
      i++;
    } else if (token.startsWith('-') && type === undefined && !known.has(token.split('=')[0] as string) && !OPTION_SHAPE.test(token)) positionals.push(token);
    else out.push(token);
  }
  return positionals.length > 0 ? [...out, '--', ...positionals] : out;
}

/** A string option, or `undefined`. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A positive integer option, or `fallback`; throws a usage error otherwise. */
export function integerOption(values: OptionValues, name: string, fallback: number, min = 1): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw usageError(`--${name} must be a whole number of at least ${min}, got "${raw}".`);
  return value;
}
