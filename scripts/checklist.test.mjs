// docs/checklist.md defines every security-checklist id the repository uses (in code, tests,
// guides, the shop and the benchmarks), and each file it names for an id really mentions it.
// Defined ids that no test names are reported, not failed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKLIST, ROOT, checkChecklist, findIds, isTestFile, listRepoFiles, readDefinitions } from './checklist.mjs';

describe('the checklist ids', () => {
  it('findIds reads ids and ranges, and nothing that only looks like one', () => {
    assert.deepEqual(findIds("it('CS-07 exact origin') (SF-20, LC-01/LC-03)"), ['CS-07', 'LC-01', 'LC-03', 'SF-20']);
    assert.deepEqual(findIds('WS-04..WS-08 and CS-01…CS-02'), ['CS-01', 'CS-02', 'WS-04', 'WS-05', 'WS-06', 'WS-07', 'WS-08']);
    assert.deepEqual(findIds('UTF-16, CVE-2023-29019, ES256, RS-256, sha-256, XCS-01, CS-1, CS-011'), []);
  });

  it('readDefinitions takes "- **ID** text" lines with the files they cite, and refuses a second definition', () => {
    const definitions = readDefinitions('# x\n\n- **CS-01** Cross-site posts are refused. Tested in `packages/a/test/b.test.ts`.\n- CS-02 not a definition\n');
    assert.deepEqual([...definitions.keys()], ['CS-01']);
    assert.deepEqual(definitions.get('CS-01').files, ['packages/a/test/b.test.ts']);
    assert.throws(() => readDefinitions('- **CS-01** a\n- **CS-01** b\n'), /CS-01 is defined twice/);
  });

  it('the scan covers code, tests, guides, the shop and the benchmarks, and skips the checklist itself', () => {
    const files = listRepoFiles();
    for (const file of [
      'packages/coatcheck/src/csrf/csrf-guard.ts',
      'packages/adapter-suite/src/scenarios/csrf.ts',
      'apps/shop/test/csrf.test.ts',
      'docs/security-model.md',
      'README.md',
      'bench/README.md',
    ]) {
      assert.ok(files.includes(file), file);
    }
    assert.ok(!files.includes(CHECKLIST));
    assert.ok(!files.some((file) => file.startsWith('node_modules/')));
    assert.equal(isTestFile('packages/redis/test/outage.test.ts'), true);
    assert.equal(isTestFile('packages/adapter-suite/src/scenarios/csrf.ts'), true);
    assert.equal(isTestFile('docs/csrf.md'), false);
  });

  it(`every id used in the repository is defined in ${CHECKLIST}`, (t) => {
    const { definitions, undefinedIds, untested } = checkChecklist();
    t.diagnostic(`${definitions.size} ids defined`);
    if (untested.length > 0) t.diagnostic(`defined, but no test names them (report only): ${untested.join(', ')}`);
    const report = undefinedIds.map(({ id, files }) => `${id}, used in ${files.join(', ')}`).join('\n');
    assert.equal(
      undefinedIds.length,
      0,
      `ids used but not defined in ${CHECKLIST} (add a line "- **ID** what it requires. Tested in \`file\`." under its family):\n${report}`,
    );
  });

  it('each definition says what it requires and names files that exist and mention the id', () => {
    const definitions = readDefinitions(readFileSync(join(ROOT, CHECKLIST), 'utf8'));
    assert.ok(definitions.size > 0);
    for (const [id, { text, files, line }] of definitions) {
      const where = `${CHECKLIST}:${line} (${id})`;
      assert.ok(files.length > 0, `${where} names no file`);
      assert.ok(text.length > 40, `${where} says too little`);
      for (const file of files) {
        assert.ok(existsSync(join(ROOT, file)), `${where} names ${file}, which does not exist`);
        assert.ok(findIds(readFileSync(join(ROOT, file), 'utf8')).includes(id), `${where} names ${file}, which does not mention ${id}`);
      }
    }
  });
});
