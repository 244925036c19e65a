// The scripts' shared argument parsing: help from the file's own header, and a wrong option
// reported with that help and exit code 2 instead of a stack trace.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const helper = new URL('./script-args.mjs', import.meta.url).href;

function runScript(args) {
  const dir = mkdtempSync(join(tmpdir(), 'script-args-'));
  try {
    const file = join(dir, 'tool.mjs');
    writeFileSync(
      file,
      [
        '// node tool.mjs [--count N]',
        '// Counts to N.',
        `import { parseScriptArgs } from ${JSON.stringify(helper)};`,
        "const { values } = parseScriptArgs(import.meta.url, { options: { count: { type: 'string', default: '3' } } });",
        'console.log(JSON.stringify(values));',
      ].join('\n'),
    );
    return spawnSync(process.execPath, [file, ...args], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--help prints the header comment and exits 0', () => {
  for (const flag of ['--help', '-h']) {
    const run = runScript([flag]);
    assert.equal(run.status, 0);
    assert.equal(run.stdout, 'node tool.mjs [--count N]\nCounts to N.\n');
  }
});

test('an unknown option exits 2 with the problem and the usage, no stack trace', () => {
  const run = runScript(['--cuont', '4']);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /Unknown option '--cuont'/);
  assert.match(run.stderr, /node tool\.mjs \[--count N\]/);
  assert.doesNotMatch(run.stderr, /at .*parse_args/);
});

test('the options are parsed as parseArgs parses them, without the help flag', () => {
  const run = runScript(['--count', '7']);
  assert.equal(run.status, 0);
  assert.deepEqual(JSON.parse(run.stdout), { count: '7' });
});
