/**
 * `coatcheck secret`: a new session secret, or the rotated `SESSION_SECRET` list.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { integerOption, stringOption, type Command } from '../command.js';
import { EXIT_CODES, usageError } from '../errors.js';
import { emit } from '../io.js';

// The manager refuses secrets under 32 bytes; a generated one is never shorter.
const MIN_BYTES = 32;

/** Splits a comma-separated secret list, dropping empty entries and surrounding spaces. */
export function splitSecrets(list: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** `coatcheck secret`. */
export const secretCommand: Command = {
  name: 'secret',
  summary: 'generate a session secret, or rotate the SESSION_SECRET list',
  options: {
    bytes: { type: 'string' },
    rotate: { type: 'boolean' },
    current: { type: 'string' },
    keep: { type: 'string' },
  },
  help: `Usage: coatcheck secret [--bytes N] [--json]
       coatcheck secret --rotate [--current LIST] [--keep N] [--json]

Prints a new session secret: N random bytes (default 32, at least 32), base64url.

With --rotate, prints the new SESSION_SECRET value: the new secret first (it signs), then
the current secrets (they still verify, so nobody is logged out). The current list comes
from --current or else from the SESSION_SECRET environment variable.

Options:
  --bytes N        random bytes in the secret (default 32, minimum 32)
  --rotate         put a new secret in front of the current list
  --current LIST   the current comma-separated list (default: $SESSION_SECRET)
  --keep N         keep at most N old secrets (default: all); drop the oldest first
  --json           print { "secret", "secrets", "value" }

Exit codes: 0 ok, 2 usage error (e.g. --rotate without a current list).

Examples:
  coatcheck secret
  SESSION_SECRET="$(coatcheck secret --rotate)"   # with the old value in the environment`,
  async run({ values, io, json }) {
    const bytes = integerOption(values, 'bytes', MIN_BYTES, MIN_BYTES);
    const secret = randomBytes(bytes).toString('base64url');
    if (!values.rotate) {
      if (values.current !== undefined || values.keep !== undefined) throw usageError('--current and --keep go with --rotate. See: coatcheck secret --help');
      emit(io, json, { secret, secrets: [secret], value: secret }, () => [secret]);
      return EXIT_CODES.ok;
    }
    const list = stringOption(values, 'current') ?? io.env.SESSION_SECRET;
    if (list === undefined || splitSecrets(list).length === 0) {
      throw usageError(
        '--rotate needs the current secrets: pass --current "<list>" or set SESSION_SECRET. To start from nothing, run coatcheck secret without --rotate.',
      );
    }
    const old = splitSecrets(list);
    const keep = integerOption(values, 'keep', old.length, 0);
    const secrets = [secret, ...old.slice(0, keep)];
    const value = secrets.join(',');
    emit(io, json, { secret, secrets, value, dropped: old.length - Math.min(keep, old.length) }, () => [value]);
    return EXIT_CODES.ok;
  },
};
