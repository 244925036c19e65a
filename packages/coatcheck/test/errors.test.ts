import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as errors from '../src/errors.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const librarySection = doc.split('## Library errors')[1]?.split('\n## ')[0] ?? '';

describe('error registry', () => {
  it('every code has exactly one class, and docs/errors.md lists exactly the library codes', () => {
    const codes = Object.keys(errors.STATUS_BY_CODE).sort();
    type ErrorClass = { name: string; prototype: unknown };
    const classes = (Object.values(errors) as unknown[]).filter(
      (value): value is ErrorClass => typeof value === 'function' && value.prototype instanceof errors.SessionError,
    );
    const codeOf = (Cls: ErrorClass) => {
      const instance = Reflect.construct(Cls as unknown as Function, ['store', 'message']) as errors.SessionError;
      return instance.code;
    };
    assert.deepEqual(classes.map(codeOf).sort(), codes);
    const documented = [...librarySection.matchAll(/^\| `(ERR_[A-Z_]+)` \| `(\w+)` \| (\d{3}) \|/gm)];
    assert.deepEqual(documented.map((m) => m[1]).sort(), codes);
    for (const [, code, cls, status] of documented) {
      const Cls = classes.find((c) => c.name === cls);
      assert.ok(Cls, `${cls} exists`);
      assert.equal(codeOf(Cls), code);
      assert.equal(errors.STATUS_BY_CODE[code as errors.SessionErrorCode], Number(status));
    }
  });

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
