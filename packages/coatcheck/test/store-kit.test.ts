// coatcheck/store-kit: the parts every store shares. The stores' own suites (SQLite, Postgres,
// Redis) run them against real damaged rows and values; these pin the rule itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  redactUrl,
  CorruptRecordError,
  SessionStoreError,
  checkRecord,
  decodeFlag,
  parseDataJson,
  reportCorrupt,
  storeErrors,
  type UncheckedRecord,
} from '../src/store-kit/index.js';
import { WARNINGS } from '../src/warnings.js';

const GOOD: UncheckedRecord = {
  id: 'id1',
  secretHash: 'hash',
  userId: 'alice',
  data: { cart: ['a'] },
  version: 1,
  createdAt: 1_000,
  lastSeenAt: 2_000,
  expiresAt: 3_000,
  absoluteExpiresAt: 4_000,
  persistent: false,
  authenticatedAt: 1_500,
  userAgent: null,
  ip: '203.0.113.9',
};

describe('checkRecord', () => {
  it('rebuilds a valid record', () => {
    assert.deepEqual(checkRecord(GOOD), {
      id: 'id1',
      secretHash: 'hash',
      userId: 'alice',
      data: { cart: ['a'] },
      version: 1,
      createdAt: 1_000,
      lastSeenAt: 2_000,
      expiresAt: 3_000,
      absoluteExpiresAt: 4_000,
      persistent: false,
      authenticatedAt: 1_500,
      device: { userAgent: null, ip: '203.0.113.9' },
    });
  });

  const BAD: [keyof UncheckedRecord, unknown][] = [
    ['id', null],
    ['secretHash', 42],
    ['userId', 7],
    ['data', [1, 2]],
    ['data', null],
    ['data', 'text'],
    ['version', 0],
    ['version', 1.5],
    ['version', '2'],
    ['createdAt', 2 ** 53],
    ['lastSeenAt', '2000'],
    ['expiresAt', Number.NaN],
    ['absoluteExpiresAt', null],
    ['persistent', 1],
    ['authenticatedAt', 'yesterday'],
    ['userAgent', new Uint8Array([1])],
    ['ip', {}],
  ];
  for (const [field, value] of BAD) {
    it(`refuses ${field} = ${Array.isArray(value) ? 'an array' : String(value)}, naming the field the store's way`, () => {
      const secret = 'card-4111';
      assert.throws(
        () => checkRecord({ ...GOOD, data: field === 'data' ? value : { secret }, [field]: value }, (f) => `column ${f.toUpperCase()}`),
        (error: unknown) => {
          assert.ok(error instanceof CorruptRecordError);
          assert.equal(error.code, 'ERR_SESSION_CORRUPT_RECORD');
          assert.equal(error.field, `column ${field.toUpperCase()}`);
          assert.match(error.message, new RegExp(`^column ${field.toUpperCase()} `));
          assert.ok(!error.message.includes(secret));
          return true;
        },
      );
    });
  }

  it('parseDataJson and decodeFlag undo only what a format changes', () => {
    assert.deepEqual(parseDataJson('{"a":1}', 'column data'), { a: 1 });
    assert.throws(() => parseDataJson('{"a":', 'column data'), /^CorruptRecordError: column data is not valid JSON$/);
    assert.throws(() => parseDataJson(42, 'column data'), /column data is number, expected JSON text/);
    assert.equal(decodeFlag(1), true);
    assert.equal(decodeFlag(0), false);
    assert.equal(decodeFlag('1'), '1', 'anything else is left for checkRecord to refuse');
  });
});

describe('storeErrors', () => {
  const errors = storeErrors('acme', 'Acme store');

  it('wraps a driver error with the operation and the driver code, keeping it as cause', () => {
    const cause = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    const error = errors.wrap('get', cause);
    assert.ok(error instanceof SessionStoreError);
    assert.equal(error.store, 'acme');
    assert.equal(error.statusCode, 503);
    assert.equal(error.message, 'Acme store get failed (ECONNREFUSED): connection refused');
    assert.equal(error.cause, cause);
  });

  it('passes a store error through, and names an error without a message by its class', () => {
    const own = errors.closed('touch');
    assert.equal(own.message, 'Acme store touch failed: it is closed');
    assert.equal(errors.wrap('touch', own), own);
    assert.equal(errors.wrap('ping', new RangeError('')).message, 'Acme store ping failed: RangeError');
    assert.equal(errors.wrap('ping', 'down').message, 'Acme store ping failed: down');
  });
});

describe('reportCorrupt', () => {
  it('emits the given warning code, naming the key and the problem', async () => {
    const seen = new Promise<Error & { code?: string }>((resolve) => process.once('warning', resolve));
    reportCorrupt('acme', WARNINGS.SQLITE_CORRUPT_ROW.code)('id1', new CorruptRecordError('column data', 'is not valid JSON'));
    const warning = await seen;
    assert.equal(warning.code, 'COATCHECK_W002');
    assert.equal(warning.message, 'coatcheck acme store deleted an unreadable record at id1: column data is not valid JSON');
  });
});

describe('redactUrl', () => {
  it('hides the password in the authority and in a password parameter, and nothing else', () => {
    assert.equal(redactUrl('redis://:s3cret@cache:6379/2'), 'redis://:***@cache:6379/2');
    assert.equal(redactUrl('rediss://app:s3cret@cache.example:6380'), 'rediss://app:***@cache.example:6380');
    assert.equal(redactUrl('postgres://app@db/shop?password=s3cret&sslmode=require'), 'postgres://app@db/shop?password=***&sslmode=require');
    assert.equal(redactUrl('postgres://db:5432/shop'), 'postgres://db:5432/shop');
  });

  it('hides everything before @ in what does not parse, so a typo cannot leak a password', () => {
    const out = redactUrl('redis://user:s3cret@host:port-typo');
    assert.ok(!out.includes('s3cret'), out);
    assert.equal(redactUrl('postgres://u:s3cret@[bad/db?password=x'), 'postgres://***@[bad/db?password=***');
  });
});
