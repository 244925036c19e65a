// docs/errors.md and the code, kept in step in both directions: every code a table documents
// exists in the code, and every code the code has is in its table. One test per table; a new
// table in the document fails the last test until it is covered here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOKEN_ERROR_CODES } from '@coatcheck/tokens';
import { REALTIME_ERROR_CODES } from '@coatcheck/realtime';
import * as errors from '../src/errors.js';
import { WARNINGS } from '../src/warnings.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const section = (title: string): string => {
  const body = doc.split(`\n## ${title}\n`)[1];
  assert.ok(body !== undefined, `docs/errors.md has a section "${title}"`);
  return body.split('\n## ')[0] ?? '';
};
/** The rows of the section's table, as cells without the surrounding backticks. */
const rows = (title: string): string[][] =>
  section(title)
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
const codesOf = (title: string): string[] => rows(title).flatMap(([cell]) => [...(cell ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] as string));
const sorted = (values: Iterable<string>): string[] => [...values].sort();

// Every title the test covers; the last test checks that the document has no other table.
const COVERED = ['Library errors', 'Bearer token answers', 'Warning codes', 'Realtime handshake and message codes', 'Reference app errors'];

describe('docs/errors.md', () => {
  it('library errors: every code has exactly one class, and the table lists exactly those codes with class and status', () => {
    const codes = sorted(Object.keys(errors.STATUS_BY_CODE));
    type ErrorClass = { name: string; prototype: unknown };
    const classes = (Object.values(errors) as unknown[]).filter(
      (value): value is ErrorClass => typeof value === 'function' && value.prototype instanceof errors.SessionError,
    );
    // Two strings build every class but the one that takes a list of issues.
    const argsOf = (Cls: ErrorClass): unknown[] => (Cls.name === 'SessionDataInvalidError' ? ['cart', []] : ['store', 'message']);
    const codeOf = (Cls: ErrorClass) => {
      const instance = Reflect.construct(Cls as unknown as new (...args: unknown[]) => unknown, argsOf(Cls)) as errors.SessionError;
      return instance.code;
    };
    assert.deepEqual(sorted(classes.map(codeOf)), codes);
    const documented = [...section('Library errors').matchAll(/^\| `(ERR_[A-Z_]+)` \| `(\w+)` \| (\d{3}) \|/gm)];
    assert.deepEqual(sorted(documented.map((m) => m[1] as string)), codes);
    for (const [, code, cls, status] of documented) {
      const Cls = classes.find((c) => c.name === cls);
      assert.ok(Cls, `${cls} exists`);
      assert.equal(codeOf(Cls), code);
      assert.equal(errors.STATUS_BY_CODE[code as errors.SessionErrorCode], Number(status));
    }
  });

  it('bearer token answers: the table lists exactly TOKEN_ERROR_CODES of @coatcheck/tokens', () => {
    assert.deepEqual(sorted(codesOf('Bearer token answers')), sorted(TOKEN_ERROR_CODES));
  });

  it('realtime: the table lists exactly REALTIME_ERROR_CODES of @coatcheck/realtime', () => {
    assert.deepEqual(sorted(codesOf('Realtime handshake and message codes')), sorted(REALTIME_ERROR_CODES));
  });

  it('warnings: the table lists exactly the registry, with its names, meanings and fixes', () => {
    const entries = Object.entries(WARNINGS);
    const table = rows('Warning codes');
    assert.deepEqual(sorted(table.map(([code]) => code ?? '')), sorted(entries.map(([, info]) => `\`${info.code}\``)));
    const plain = (cell: string | undefined) => (cell ?? '').replaceAll('`', '');
    for (const [name, info] of entries) {
      const row = table.find(([code]) => code === `\`${info.code}\``);
      assert.ok(row, `${info.code} is documented`);
      assert.equal(plain(row[1]), name, `${info.code}: name`);
      assert.equal(plain(row[3]), info.meaning, `${info.code}: meaning`);
      assert.equal(plain(row[4]), info.fix, `${info.code}: fix`);
    }
  });

  it('warnings: codes are unique, numbered without gaps, and every package emits them through the registry', () => {
    const codes = Object.values(WARNINGS).map((info) => info.code);
    assert.deepEqual(
      codes,
      codes.map((_, i) => `COATCHECK_W${String(i + 1).padStart(3, '0')}`),
    );
    // A code written out in a source file is a second registry: packages import the constant.
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const strays: string[] = [];
    for (const file of sourceFiles(root)) {
      if (file.endsWith(join('coatcheck', 'src', 'warnings.ts'))) continue;
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (/['"`]COATCHECK_W\d{3}/.test(text)) strays.push(file);
    }
    assert.deepEqual(strays, []);
  });

  it('reference app errors: every code the shop answers with is in the table, and every row is in the shop', () => {
    const shop = fileURLToPath(new URL('../../../apps/shop/src/', import.meta.url));
    const library = new Set<string>([...Object.keys(errors.STATUS_BY_CODE), ...REALTIME_ERROR_CODES]);
    // Node's own codes the shop compares against; not answers.
    const NODE_CODES = new Set(['ERR_MODULE_NOT_FOUND']);
    const used = new Set<string>();
    for (const file of sourceFiles(shop)) {
      for (const [, code] of readFileSync(file, 'utf8').matchAll(/['"`](ERR_[A-Z_]+)['"`]/g)) used.add(code as string);
    }
    const documented = codesOf('Reference app errors');
    for (const code of documented) assert.ok(used.has(code), `${code} is documented for the shop but the shop never answers it`);
    const tokenCodes = new Set<string>(TOKEN_ERROR_CODES);
    const missing = [...used].filter((code) => !documented.includes(code) && !library.has(code) && !tokenCodes.has(code) && !NODE_CODES.has(code));
    assert.deepEqual(missing, [], 'codes the shop answers with that docs/errors.md does not list');
  });

  it('every table of the document is covered by a test above', () => {
    const titles = [...doc.matchAll(/^## (.+)$/gm)].map((m) => m[1] as string).filter((title) => rows(title).length > 0);
    assert.deepEqual(titles, COVERED);
  });
});

describe('errors', () => {
  it('errors keep their name, code, cause and stack', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new errors.SessionStoreError('redis', 'down', { cause });
    assert.equal(error.name, 'SessionStoreError');
    assert.equal(error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
    assert.equal(error.statusCode, 503);
    assert.equal(error.cause, cause);
    assert.ok(error.stack?.includes('SessionStoreError'));
    assert.ok(errors.isSessionError(error));
    assert.equal(errors.isSessionError(cause), false);
  });
});

function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'test' || name.endsWith('.test.ts')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts)$/.test(name)) found.push(path);
  }
  return found;
}
