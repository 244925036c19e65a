// Encryption at rest: sealed data round-trips, is bound to its record, rotates by key order,
// never shows its plaintext to the store, and a record nobody can open is a missing session
// (reported once, kept), never a crash. The wrapped store passes the store contract.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeStoreConformance } from '@coatcheck/conformance';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { createDataCipher, SEALED_PROPERTY, type SessionRecord, type SessionStore } from 'coatcheck/store-kit';
import { SessionConfigError } from 'coatcheck/errors';
import { encryptStore } from '../src/encryption/encrypted-store.js';

const key = () => randomBytes(32).toString('base64url');
const SECRET = randomBytes(32).toString('base64url');
const quietLogger = { warn() {}, error() {} };

describeStoreConformance(
  'memoryStore with encryption at rest',
  () => encryptStore(memoryStore({ sweepIntervalMs: 0, quiet: true }), createDataCipher([key()]), quietLogger),
  {
    numRuns: 30,
  },
);

/** A memory store that keeps every record the manager wrote, as written. */
function recordingStore(): { store: SessionStore; written: SessionRecord[] } {
  const inner = memoryStore({ sweepIntervalMs: 0, quiet: true });
  const written: SessionRecord[] = [];
  const store: SessionStore = {
    ...inner,
    create: (record) => {
      written.push(record);
      return inner.create(record);
    },
    update: (next, expected, now) => {
      written.push(next);
      return inner.update(next, expected, now);
    },
  };
  return { store, written };
}

describe('the data cipher', () => {
  it('seals data bound to its record id: it opens there, and nowhere else', () => {
    const cipher = createDataCipher([key()]);
    const sealed = cipher.seal('id-1', { cart: ['apple'], note: 'sesame' });
    assert.deepEqual(Object.keys(sealed), [SEALED_PROPERTY]);
    assert.doesNotMatch(JSON.stringify(sealed), /apple|sesame/);
    assert.deepEqual(cipher.open('id-1', sealed), { ok: true, data: { cart: ['apple'], note: 'sesame' }, keyId: cipher.keyId });
    // Moved to another record: the tag does not match.
    assert.deepEqual(cipher.open('id-2', sealed), { ok: false, reason: 'unreadable', keyId: cipher.keyId });
  });

  it('two seals of the same data differ (a fresh nonce each)', () => {
    const cipher = createDataCipher([key()]);
    const seals = new Set(Array.from({ length: 600 }, () => JSON.stringify(cipher.seal('id', { a: 1 }))));
    assert.equal(seals.size, 600);
  });

  it('an altered byte, a foreign key id or a broken body is never readable', () => {
    const cipher = createDataCipher([key()]);
    const value = cipher.seal('id', { a: 1 })[SEALED_PROPERTY] as string;
    const [id, body] = value.split(':') as [string, string];
    const bytes = Buffer.from(body, 'base64url');
    bytes[20] = (bytes[20] as number) ^ 1;
    assert.equal(cipher.open('id', { [SEALED_PROPERTY]: `${id}:${bytes.toString('base64url')}` }).ok, false);
    assert.deepEqual(cipher.open('id', { [SEALED_PROPERTY]: `other123:${body}` }), { ok: false, reason: 'unknown-key', keyId: 'other123' });
    assert.deepEqual(cipher.open('id', { [SEALED_PROPERTY]: `${id}:AAAA` }), { ok: false, reason: 'unreadable', keyId: id });
    assert.deepEqual(cipher.open('id', { [SEALED_PROPERTY]: 'no-colon' }), { ok: false, reason: 'unreadable', keyId: null });
  });

  it('plain data passes through (records written before encryption was on), also data that only looks similar', () => {
    const cipher = createDataCipher([key()]);
    assert.deepEqual(cipher.open('id', { a: 1 }), { ok: true, data: { a: 1 }, keyId: null });
    const twoKeys = { [SEALED_PROPERTY]: 'x:y', other: 1 };
    assert.deepEqual(cipher.open('id', twoKeys), { ok: true, data: twoKeys, keyId: null });
  });

  it('rotation: the first key seals, every key opens', () => {
    const [oldKey, newKey] = [key(), key()];
    const before = createDataCipher([oldKey]);
    const after = createDataCipher([newKey, oldKey]);
    const sealedBefore = before.seal('id', { a: 1 });
    assert.deepEqual(after.open('id', sealedBefore), { ok: true, data: { a: 1 }, keyId: before.keyId });
    assert.equal(after.keyIdOf(after.seal('id', { a: 1 })), after.keyId);
    assert.notEqual(after.keyId, before.keyId);
    assert.deepEqual(after.keyIds, [after.keyId, before.keyId]);
  });

  it('refuses weak or missing keys at start-up, naming encryption.keys and how to make one', () => {
    assert.throws(
      () => createDataCipher([]),
      (error: unknown) => error instanceof SessionConfigError && /encryption\.keys must be a non-empty array/.test(error.message),
    );
    assert.throws(
      () => createDataCipher([undefined as unknown as string]),
      (error: unknown) =>
        error instanceof SessionConfigError &&
        /^encryption\.keys\[0\] is undefined: the encryption key is not set\..*SESSION_ENCRYPTION_KEY/.test(error.message),
    );
    assert.throws(() => createDataCipher(['short']), /encryption\.keys\[0\] has 5 bytes; at least 32/);
    assert.throws(
      () => createSessionManager({ store: memoryStore({ quiet: true }), secrets: [SECRET], encryption: [key()] as never }),
      /encryption must be \{ keys:/,
    );
  });
});

describe('a manager with encryption', () => {
  it('the store only ever sees sealed data; the app sees its own; a rotation re-seals at the next write', async () => {
    const { store, written } = recordingStore();
    const [oldKey, newKey] = [key(), key()];
    const first = createSessionManager({ store, secrets: [SECRET], production: false, encryption: { keys: [oldKey] } });
    const session = await first.load({ secure: true });
    session.set('card', 'sesame-4242');
    await session.login('alice');
    const cookie = ((await session.commit())[0] as string).split(';')[0] as string;
    assert.ok(written.length > 0);
    for (const record of written) assert.doesNotMatch(JSON.stringify(record), /sesame-4242/);
    assert.equal(written.at(-1)?.userId, 'alice', 'the user index stays readable');

    const rotated = createSessionManager({ store, secrets: [SECRET], production: false, encryption: { keys: [newKey, oldKey] } });
    const again = await rotated.load({ cookie, secure: true });
    assert.equal(again.get('card'), 'sesame-4242');
    again.set('visits', 2);
    await again.commit();
    const cipher = createDataCipher([newKey, oldKey]);
    assert.equal(cipher.keyIdOf((written.at(-1) as SessionRecord).data), cipher.keyId, 'written again under the new key');
    const devices = await rotated.listSessions('alice');
    assert.equal(devices.length, 1);
  });

  it('a record sealed with a key no longer configured is a missing session, reported once, and kept', async () => {
    const { store } = recordingStore();
    const removed = key();
    const before = createSessionManager({ store, secrets: [SECRET], production: false, encryption: { keys: [removed] } });
    const session = await before.load({ secure: true });
    await session.login('bob');
    const cookie = ((await session.commit())[0] as string).split(';')[0] as string;
    const warnings: { message: string; context?: Record<string, unknown> }[] = [];
    const after = createSessionManager({
      store,
      secrets: [SECRET],
      production: false,
      encryption: { keys: [key()] },
      logger: { warn: (message, context) => void warnings.push(context ? { message, context } : { message }), error() {} },
    });
    for (let i = 0; i < 3; i++) {
      const loaded = await after.load({ cookie, secure: true });
      assert.equal(loaded.status, 'expired');
      assert.equal(loaded.isAuthenticated, false);
    }
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.context?.code, 'COATCHECK_W015');
    assert.match(warnings[0]?.message ?? '', /not in encryption\.keys/);
    assert.notEqual((await store.listByUser('bob', Date.now()))[0] ?? null, null, 'the record is kept');
  });
});
