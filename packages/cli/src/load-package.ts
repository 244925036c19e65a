/**
 * Loads an optional peer package (a store, the tokens package) when a command needs it, and
 * turns "not installed" into the install command to run. Internal.
 *
 * @module
 */
import { CliError } from './errors.js';

/** Whether `error` says that `name` itself (not something it imports) could not be found. */
function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return error instanceof Error && error.message.includes(`'${name}'`);
}

/**
 * `import(name)`, or a `CliError` (`ERR_CLI_MISSING_PACKAGE`, exit 4) saying
 * `npm install <install>` when the package, or a driver it imports, is missing.
 */
export async function loadPackage<T>(name: string, install: readonly string[], load: () => Promise<T>, purpose: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const missing = [name, ...install].find((candidate) => isMissing(error, candidate));
    if (missing === undefined) throw error;
    throw new CliError('ERR_CLI_MISSING_PACKAGE', `${purpose} needs ${missing}, which is not installed. Run: npm install ${install.join(' ')}`, {
      cause: error,
    });
  }
}
