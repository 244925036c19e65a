// Command-line parsing for the repository's scripts (tests, CI, release, benchmarks): Node's
// parseArgs, plus what every script owes the person running it. `--help` (or `-h`) prints the
// script's usage, which is the comment block at the top of its file (so it is written once),
// and a wrong option prints the problem and that usage and exits with 2, never a stack trace.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The leading `//` comment block of the file at `url`, without the comment marks. */
export function readUsage(url) {
  const lines = readFileSync(fileURLToPath(url), 'utf8').split('\n');
  const end = lines.findIndex((line) => !line.startsWith('//'));
  return lines
    .slice(0, end === -1 ? lines.length : end)
    .map((line) => line.replace(/^\/\/ ?/, ''))
    .join('\n');
}

/**
 * `parseArgs(config)` for the script at `url` (pass `import.meta.url`), with `--help`/`-h`
 * added: help exits 0 after printing the usage, a parse error exits 2 after printing it.
 */
export function parseScriptArgs(url, config) {
  const options = { ...config.options, help: { type: 'boolean', short: 'h', default: false } };
  let parsed;
  try {
    parsed = parseArgs({ ...config, options });
  } catch (error) {
    console.error(`${error.message}\n\n${readUsage(url)}`);
    process.exit(2);
  }
  if (parsed.values.help) {
    console.log(readUsage(url));
    process.exit(0);
  }
  delete parsed.values.help;
  return parsed;
}
