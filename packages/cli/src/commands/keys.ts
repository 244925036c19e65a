/**
 * `coatcheck keys`: the bearer signing-key file of `@coatcheck/tokens` (generate, rotate,
 * retire, JWKS). The key-file rules live in that package; this only reads and writes files.
 *
 * @module
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { TokenAlgorithm, TokenKeyFile } from '@coatcheck/tokens';
import { integerOption, stringOption, type Command, type OptionValues } from '../command.js';
import { CliError, EXIT_CODES, usageError } from '../errors.js';
import { emit, formatTime, type CliIo } from '../io.js';
import { loadPackage } from '../load-package.js';

const loadTokens = () => loadPackage('@coatcheck/tokens', ['@coatcheck/tokens'], () => import('@coatcheck/tokens'), 'coatcheck keys');
const ALGORITHMS = ['EdDSA', 'ES256', 'HS256'];

function algorithm(values: OptionValues): TokenAlgorithm | undefined {
  const alg = stringOption(values, 'alg');
  if (alg !== undefined && !ALGORITHMS.includes(alg)) throw usageError(`--alg must be one of ${ALGORITHMS.join(', ')}, got "${alg}".`);
  return alg as TokenAlgorithm | undefined;
}

function readKeyFile(values: OptionValues, io: CliIo): { file: TokenKeyFile; path: string | undefined } {
  const path = stringOption(values, 'file');
  let text: string | undefined;
  if (path !== undefined) {
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new CliError(
        'ERR_CLI_FAILED',
        `cannot read the key file ${path}: ${(error as Error).message}. Create one with: coatcheck keys generate --file ${path}`,
      );
    }
  } else text = io.env.TOKEN_KEYS;
  if (text === undefined) throw usageError('give the key file with --file PATH (or set TOKEN_KEYS). See: coatcheck keys --help');
  try {
    const file = JSON.parse(text) as TokenKeyFile;
    if (!file || !Array.isArray(file.keys)) throw new Error('no "keys" array');
    return { file, path };
  } catch (error) {
    throw new CliError('ERR_CLI_FAILED', `${path ?? 'TOKEN_KEYS'} is not a key file (${(error as Error).message}); make one with coatcheck keys generate.`);
  }
}

// Written next to the target and renamed over it, mode 0600: a crash never leaves half a
// key file, and the private keys are never readable by other users.
function writeKeyFile(path: string, file: TokenKeyFile): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Key ids, algorithms and states, never key material. */
function describeKeys(file: TokenKeyFile) {
  return file.keys.map((key) => ({ kid: key.kid, alg: key.alg, state: key.state, createdAt: key.createdAt, retireAt: key.retireAt ?? null }));
}

function renderKeys(summary: { path: string | null; keys: ReturnType<typeof describeKeys> }): string[] {
  const lines = summary.path ? [`key file ${summary.path}:`] : [];
  for (const key of summary.keys) {
    lines.push(
      `  ${key.state.padEnd(8)} ${key.kid}  ${key.alg}  created ${formatTime(key.createdAt)}${key.retireAt ? `  retires ${formatTime(key.retireAt)}` : ''}`,
    );
  }
  return lines;
}

/** Saves (or, without --file, prints) the changed file and reports the keys. */
function finish(io: CliIo, json: boolean, path: string | undefined, file: TokenKeyFile, extra: Record<string, unknown> = {}): number {
  if (path === undefined) {
    io.out(JSON.stringify(file));
    return EXIT_CODES.ok;
  }
  writeKeyFile(path, file);
  emit(io, json, { path, keys: describeKeys(file), ...extra }, renderKeys);
  return EXIT_CODES.ok;
}

/** `coatcheck keys`. */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'bearer signing keys: generate, rotate, retire, jwks',
  options: {
    file: { type: 'string', short: 'f' },
    alg: { type: 'string' },
    force: { type: 'boolean' },
    prepare: { type: 'boolean' },
    overlap: { type: 'string' },
    kid: { type: 'string' },
  },
  help: `Usage: coatcheck keys generate [--file PATH] [--alg EdDSA|ES256|HS256] [--force]
       coatcheck keys rotate --file PATH [--prepare] [--overlap SECONDS] [--alg ALG]
       coatcheck keys retire --file PATH [--kid KID]
       coatcheck keys jwks [--file PATH]

Manages the signing-key file @coatcheck/tokens reads (TOKEN_KEYS). Files are written with
mode 0600 and replaced atomically; without --file, generate prints the new file to stdout
and jwks reads TOKEN_KEYS.

  generate   a new file with one signing key (refuses to overwrite without --force)
  rotate     --prepare: publish a "next" key in the JWKS without signing with it yet;
             then rotate: the next (or a new) key signs, the old one is accepted until
             now + --overlap seconds (default 3600; at least the access-token lifetime)
  retire     drop keys whose overlap has passed; --kid KID removes one key at once
             (after a leak; rotate first if it is the signing key)
  jwks       print the public JSON Web Key Set (HS256 keys are never published)

Needs @coatcheck/tokens (npm install @coatcheck/tokens).
Exit codes: 0 ok, 1 key file unreadable or refused change, 2 usage error, 4 @coatcheck/tokens missing.

Examples:
  coatcheck keys generate --file keys.json
  coatcheck keys rotate --file keys.json --prepare     # a day before
  coatcheck keys rotate --file keys.json --overlap 3600
  coatcheck keys retire --file keys.json
  coatcheck keys jwks --file keys.json > jwks.json`,
  async run({ values, positionals, io, json }) {
    const [action, ...extra] = positionals;
    if (extra.length > 0) throw usageError(`unexpected argument "${extra[0]}". See: coatcheck keys --help`);
    const tokens = await loadTokens();
    const path = stringOption(values, 'file');
    try {
      switch (action) {
        case 'generate': {
          if (path !== undefined && existsSync(path) && !values.force) {
            throw new CliError(
              'ERR_CLI_FAILED',
              `${path} exists; rotate it with coatcheck keys rotate --file ${path}, or pass --force to replace it (tokens signed with its keys stop working).`,
            );
          }
          return finish(io, json, path, await tokens.generateKeyFile(algorithm(values) ?? 'EdDSA'));
        }
        case 'rotate': {
          const { file } = readKeyFile(values, io);
          if (path === undefined) throw usageError('rotate writes the file: pass --file PATH.');
          if (values.prepare)
            return finish(io, json, path, await tokens.addNextKey(file, algorithm(values) ?? file.keys.find((k) => k.state === 'current')?.alg));
          const overlapSeconds = integerOption(values, 'overlap', 3600, 0);
          return finish(io, json, path, await tokens.rotateKeyFile(file, { overlapSeconds, ...(algorithm(values) ? { alg: algorithm(values) } : {}) }));
        }
        case 'retire': {
          const { file } = readKeyFile(values, io);
          if (path === undefined) throw usageError('retire writes the file: pass --file PATH.');
          const kid = stringOption(values, 'kid');
          if (kid !== undefined && !file.keys.some((key) => key.kid === kid))
            throw new CliError('ERR_CLI_FAILED', `no key "${kid}" in ${path}; coatcheck keys jwks --file ${path} lists them.`);
          const next = kid === undefined ? tokens.retireKeys(file) : tokens.removeKey(file, kid);
          return finish(io, json, path, next, { removed: file.keys.length - next.keys.length });
        }
        case 'jwks': {
          const { file } = readKeyFile(values, io);
          const set = await tokens.importKeySet(file);
          io.out(JSON.stringify(set.jwks, null, json ? 2 : undefined));
          return EXIT_CODES.ok;
        }
        case undefined:
          throw usageError('keys needs an action: generate, rotate, retire or jwks. See: coatcheck keys --help');
        default:
          throw usageError(`unknown keys action "${action}"; use generate, rotate, retire or jwks.`);
      }
    } catch (error) {
      // The key-file functions refuse bad changes with SessionConfigError: a finding, not a crash.
      if (error instanceof CliError) throw error;
      if ((error as { code?: unknown }).code === 'ERR_SESSION_INVALID_OPTION') throw new CliError('ERR_CLI_FAILED', (error as Error).message);
      throw error;
    }
  },
};
