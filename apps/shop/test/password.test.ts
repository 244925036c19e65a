// Password storage (AP-01), the bound on hashing (AP-02) and what registration tells about
// existing names (AP-03).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteDatabase, type SqliteConnection } from '@coatcheck/sqlite';
import { HttpError } from '../src/http/errors.js';
import { createHashGate } from '../src/users/hash-gate.js';
import { createPasswordHasher, hashPassword, needsRehash, SCRYPT_PARAMS, verifyPassword, type PasswordHasher } from '../src/users/password.js';
import { createUserStore } from '../src/users/user-store.js';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createShop } from './helpers.js';

const jsonPost = (app: FastifyInstance, url: string, payload: object): Promise<LightMyRequestResponse> => app.inject({ method: 'POST', url, payload });

const CHEAP = { N: 2 ** 14, r: 8, p: 1 };
/** The client every direct call here is from. */
const ME = '192.0.2.1';

/** A real hasher that counts the work it is asked for. */
function countingHasher(inner: PasswordHasher): PasswordHasher & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    params: inner.params,
    hash: (password, client) => (calls.push('hash'), inner.hash(password, client)),
    verify: (password, stored, client) => (calls.push('verify'), inner.verify(password, stored, client)),
    verifyDummy: (password, client) => (calls.push('verify'), inner.verifyDummy(password, client)),
  };
}

const storedHash = (db: SqliteConnection, username: string) =>
  (db.prepare('SELECT password_hash FROM users WHERE username = ?').get(username) as { password_hash: string }).password_hash;

describe('password hashing', () => {
  it('AP-01 new hashes are scrypt at N=2^17, r=8, p=1, with the parameters, a 16-byte salt and a 64-byte key in the string', async () => {
    assert.deepEqual({ ...SCRYPT_PARAMS }, { N: 131072, r: 8, p: 1 });
    const hasher = createPasswordHasher();
    const [a, b] = [await hasher.hash('hunter2hunter2', ME), await hasher.hash('hunter2hunter2', ME)];
    const parts = a.split('$');
    assert.deepEqual(parts.slice(0, 4), ['scrypt', '131072', '8', '1']);
    assert.equal(Buffer.from(parts[4] as string, 'base64url').length, 16);
    assert.equal(Buffer.from(parts[5] as string, 'base64url').length, 64);
    assert.notEqual(a, b, 'random salt');
    assert.equal(await hasher.verify('hunter2hunter2', a, ME), true);
    assert.equal(await hasher.verify('hunter2hunter3', a, ME), false);
    assert.equal(needsRehash(a), false);
  });

  it('verifies the right password only, and composed and decomposed accents alike', async () => {
    const stored = await hashPassword('correct horse', CHEAP);
    assert.equal(await verifyPassword('correct horse', stored), true);
    assert.equal(await verifyPassword('correct horsf', stored), false);
    assert.equal(await verifyPassword('', stored), false);
    const accented = await hashPassword('caf\u00e9 au lait', CHEAP);
    assert.equal(await verifyPassword('cafe\u0301 au lait', accented), true);
  });

  it('never matches, and never throws, on damaged or hostile hashes', async () => {
    const good = (await hashPassword('pw-pw-pw-pw', CHEAP)).split('$');
    const variants = [
      '',
      'plaintext',
      'bcrypt$2b$10$abc',
      good.slice(0, 5).join('$'),
      ['scrypt', '16385', ...good.slice(2)].join('$'), // N not a power of two
      ['scrypt', String(1 << 24), ...good.slice(2)].join('$'), // N too large to allow
      ['scrypt', String(1 << 20), '32', ...good.slice(3)].join('$'), // 4 GiB together
      ['scrypt', '16384', '0', ...good.slice(3)].join('$'),
      [...good.slice(0, 4), '', good[5]].join('$'), // no salt
      [...good.slice(0, 5), 'AAAA'].join('$'), // truncated key
    ];
    for (const stored of variants) assert.equal(await verifyPassword('pw-pw-pw-pw', stored), false, stored);
  });

  it('AB-05 unknown users cost a check too, which always fails', async () => {
    const hasher = createPasswordHasher({ params: CHEAP });
    assert.equal(await hasher.verifyDummy('anything at all', ME), false);
  });

  it('AP-01 bad parameters or bounds fail at start-up', () => {
    for (const bad of [
      { params: { N: 1000, r: 8, p: 1 } },
      { params: { N: 2 ** 21, r: 8, p: 1 } },
      { concurrency: 0 },
      { maxQueued: -1 },
      { concurrency: 1.5 },
      { maxQueuedPerClient: 0 },
    ]) {
      assert.throws(() => createPasswordHasher(bad), RangeError, JSON.stringify(bad));
    }
  });

  it('AP-01 a hash with older parameters still verifies, and the next successful login re-hashes it at the current cost', async () => {
    const db = openSqliteDatabase({ filename: ':memory:' });
    const old = createUserStore(db, { hasher: createPasswordHasher({ params: { N: 2 ** 12, r: 8, p: 1 } }) });
    await old.register('alice', 'correct horse battery', ME);
    assert.match(storedHash(db, 'alice'), /^scrypt\$4096\$8\$1\$/);

    const hasher = countingHasher(createPasswordHasher({ params: CHEAP }));
    const users = createUserStore(db, { hasher });
    // A wrong password changes nothing.
    assert.equal(await users.authenticate('alice', 'wrong horse battery', ME), null);
    assert.match(storedHash(db, 'alice'), /^scrypt\$4096\$/);
    assert.deepEqual(hasher.calls, ['verify']);

    assert.equal((await users.authenticate('alice', 'correct horse battery', ME))?.username, 'alice');
    assert.match(storedHash(db, 'alice'), /^scrypt\$16384\$8\$1\$/);
    assert.deepEqual(hasher.calls, ['verify', 'verify', 'hash']);
    // Once upgraded, a login is one check again, and the new hash works.
    assert.equal((await users.authenticate('alice', 'correct horse battery', ME))?.username, 'alice');
    assert.deepEqual(hasher.calls, ['verify', 'verify', 'hash', 'verify']);
  });
});

describe('the hashing bound', () => {
  /** A task that runs until released, counting how many run at once. */
  function tasks() {
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const task = () => {
      running++;
      peak = Math.max(peak, running);
      return new Promise<void>((resolve) => releases.push(() => (running--, resolve())));
    };
    return { task, releases, peak: () => peak };
  }

  it('AP-02 at most `concurrency` run, `maxQueued` wait, and the rest are refused at once with 503 and Retry-After', async () => {
    const gate = createHashGate({ concurrency: 2, maxQueued: 3 });
    const { task, releases, peak } = tasks();
    // Each from a client of its own, so none is held to its own share or to the slot kept for
    // newcomers (hash-gate.test.ts): this is the bound itself.
    const outcomes = Array.from({ length: 10 }, (_, i) =>
      gate.run(`192.0.2.${i + 1}`, task).then(
        () => 'done',
        (error: unknown) => error,
      ),
    );
    // The refusals settle before any hash finished: nobody waits to be told no.
    const refused = (await Promise.all(outcomes.slice(5))) as HttpError[];
    assert.equal(releases.length, 2);
    assert.deepEqual([gate.running, gate.queued], [2, 3]);
    for (const error of refused) {
      assert.ok(error instanceof HttpError);
      assert.deepEqual([error.statusCode, error.code, error.headers['retry-after']], [503, 'ERR_PASSWORD_HASHING_BUSY', '1']);
    }
    // The queued ones run as slots free up, never more than two at a time.
    while (releases.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(await Promise.all(outcomes.slice(0, 5)), ['done', 'done', 'done', 'done', 'done']);
    assert.equal(peak(), 2);
    assert.deepEqual([gate.running, gate.queued], [0, 0]);
  });

  it('AP-02 a flood of logins gets quick 503s with a code; afterwards a real login works', async () => {
    const { app } = await createShop({ app: { passwordHashing: { params: CHEAP, concurrency: 1, maxQueued: 2 } } });
    assert.equal((await jsonPost(app, '/register', { username: 'alice', password: 'correct horse battery' })).statusCode, 201);
    // From 20 addresses, so the per-address throttles let every one through to the gate: a
    // distributed flood is what the bound is for.
    const flood = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        app.inject({ method: 'POST', url: '/login', remoteAddress: `198.51.100.${i + 1}`, payload: { username: 'alice', password: 'not the password' } }),
      ),
    );
    const busy = flood.filter((res) => res.statusCode === 503);
    assert.ok(busy.length >= 17, `${busy.length} of 20 refused`);
    for (const res of busy) {
      assert.equal(res.json().error.code, 'ERR_PASSWORD_HASHING_BUSY');
      assert.equal(res.headers['retry-after'], '1');
    }
    assert.ok(flood.every((res) => res.statusCode === 503 || res.statusCode === 401));
    assert.equal((await jsonPost(app, '/login', { username: 'alice', password: 'correct horse battery' })).statusCode, 200);
  });
});

describe('registration', () => {
  it('AP-03 a taken name costs the same hashing work as a free one, and only the status says it is taken', async () => {
    const hasher = countingHasher(createPasswordHasher({ params: CHEAP }));
    const db = openSqliteDatabase({ filename: ':memory:' });
    const users = createUserStore(db, { hasher });
    assert.equal((await users.register('alice', 'first password!', ME))?.username, 'alice');
    assert.deepEqual(hasher.calls, ['hash']);
    // Taken, in another case too: one hash each, exactly like the free name above.
    assert.equal(await users.register('alice', 'second password', ME), null);
    assert.equal(await users.register('ALICE', 'third password!', ME), null);
    assert.deepEqual(hasher.calls, ['hash', 'hash', 'hash']);
    // And the existing account is untouched.
    assert.equal((await users.authenticate('alice', 'first password!', ME))?.username, 'alice');

    const { app } = await createShop();
    const first = await jsonPost(app, '/register', { username: 'bob', password: 'correct horse battery' });
    const again = await jsonPost(app, '/register', { username: 'BOB', password: 'another password here' });
    assert.equal(first.statusCode, 201);
    assert.equal(again.statusCode, 409);
    // Nothing about the existing account (id, spelling) comes back.
    assert.deepEqual(again.json(), { error: { code: 'ERR_USERNAME_TAKEN', message: 'That username is taken.' } });
    assert.equal(again.headers['set-cookie'], undefined);
  });
});
