// Runs the type tests in ./types: their own program, because the SessionDataMap augmentation
// they need would otherwise type every file of the repository's main type-check.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const require = createRequire(import.meta.url);
const project = fileURLToPath(new URL('./types/', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('types follow the data', () => {
  it('test/types compiles: the augmented SessionDataMap and an explicit type reach every adapter, and every @ts-expect-error is an error', () => {
    const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
    assert.equal(result.status, 0, `tsc -p ${project} failed:\n${result.stdout}${result.stderr}`);
  });

  it('the augmentation stays out of the main type-check', () => {
    const file = join(root, 'tsconfig.json');
    const { config } = ts.readConfigFile(file, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
    assert.ok(
      parsed.fileNames.some((name) => name.endsWith('packages/coatcheck/test/types.test.ts')),
      'the main program was read',
    );
    assert.deepEqual(
      parsed.fileNames.filter((name) => name.includes('/coatcheck/test/types/')),
      [],
    );
  });
});
