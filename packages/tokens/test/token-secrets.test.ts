// The secrets bearer clients hold: as strong as the ticket and never static (TG-07), checked
// in constant time (JW-20, AB-11), and cheap to refuse when guessed (AB-07). Nothing is
// timed: spies count the comparisons and the hashing, and the store calls are counted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto, { randomBytes } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import type { StoreCall } from 'coatcheck';
import { createRefreshDeriver } from '../src/refresh/refresh-token.js';
import type { TokenPair } from '../src/index.js';
import { getMe, payloadOf, SECRET, setup } from './helpers.js';

const b64 = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** Runs `work` with the named `node:crypto` functions spied on; returns how often each was called. */
async function countCrypto<K extends 'createHash' | 'createHmac' | 'timingSafeEqual'>(names: K[], work: () => Promise<void>): Promise<Record<K, number>> {
  const module = crypto as unknown as Record<K, (...args: unknown[]) => unknown>;
  const originals = names.map((name) => [name, module[name]] as const);
  const counts = Object.fromEntries(names.map((name) => [name, 0])) as Record<K, number>;
  for (const [name, original] of originals) {
    module[name] = (...args: unknown[]) => {
      counts[name]++;
      return original(...args);
    };
  }
  // Named imports of node:crypto follow the module object only after this.
  syncBuiltinESMExports();
  try {
    await work();
  } finally {
    for (const [name, original] of originals) module[name] = original;
    syncBuiltinESMExports();
  }
  return counts;
}

/** The bytes at each position that every sample shares (a fixed prefix, suffix or marker). */
function fixedBytes(samples: Buffer[]): number[] {
  const length = samples[0]?.length ?? 0;
  return Array.from({ length }, (_, i) => i).filter((i) => samples.every((sample) => sample[i] === samples[0]?.[i]));
}

describe('token secrets', () => {
  it('TG-07 refresh tokens and access-token ids are as strong as tickets, new at every login and rotation, and their successors need the server key', async () => {
    const t = await setup();
    const pairs: TokenPair[] = [];
    // Two hundred logins, half of them the same user: no static token, no counter, no reuse.
    for (let i = 0; i < 200; i++) pairs.push(await t.tokens.login(await t.manager.loadById(null), i % 2 === 0 ? 'alice' : `user-${i}`));
    const secrets = pairs.map((pair) => pair.refresh_token.split('.')[1] as string);
    for (const pair of pairs) assert.match(pair.refresh_token, /^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}$/, 'a 144-bit session id and a 256-bit secret');
    assert.equal(new Set(secrets).size, pairs.length);
    assert.equal(new Set(pairs.map((pair) => pair.access_token)).size, pairs.length);
    assert.deepEqual(fixedBytes(secrets.map((secret) => Buffer.from(secret, 'base64url'))), [], 'no byte is the same in every secret');
    const jtis = pairs.map((pair) => payloadOf(pair.access_token).jti as string);
    assert.equal(new Set(jtis).size, pairs.length);
    for (const jti of jtis) assert.match(jti, /^[A-Za-z0-9_-]{22}$/, '132 bits, not a UUID or a counter');

    // A successor is derived, so parallel refreshes agree on it, but only with the server's key:
    // knowing a token and the algorithm is not enough to compute the next one.
    const [first] = pairs as [TokenPair];
    const rotated = await t.tokens.refresh(first.refresh_token);
    assert.ok(rotated.ok);
    const [sid, secret] = first.refresh_token.split('.') as [string, string];
    const next = rotated.tokens.refresh_token.split('.')[1] as string;
    assert.notEqual(next, secret);
    assert.equal(createRefreshDeriver(SECRET).successor(sid, secret), next, 'the derivation the service uses');
    assert.notEqual(createRefreshDeriver(randomBytes(32)).successor(sid, secret), next, 'another key gives another successor');
    assert.notEqual(crypto.createHash('sha256').update(secret).digest('base64url'), next, 'not a plain hash of the previous secret');
  });

  it('JW-20 an HS256 signature is checked by WebCrypto verify (a constant-time MAC check) on every verification, whichever character is wrong', async () => {
    const t = await setup({ alg: 'HS256' });
    const { access_token: token } = await t.tokens.login(await t.manager.loadById(null), 'alice');
    const signatureAt = token.lastIndexOf('.') + 1;
    const flip = (index: number) => token.slice(0, index) + (token[index] === 'A' ? 'B' : 'A') + token.slice(index + 1);
    const subtle = globalThis.crypto.subtle;
    const original = subtle.verify;
    const algorithms: string[] = [];
    type Verify = typeof original;
    subtle.verify = function (this: typeof subtle, ...args: Parameters<Verify>) {
      const [algorithm] = args;
      algorithms.push(typeof algorithm === 'string' ? algorithm : algorithm.name);
      return original.apply(this, args);
    } as Verify;
    const statuses: number[] = [];
    try {
      for (const candidate of [flip(signatureAt), flip(token.length - 2), token.slice(0, -4), token]) {
        statuses.push((await getMe(t.app, `Bearer ${candidate}`)).statusCode);
      }
      statuses.push((await getMe(t.app, `Bearer ${token}`)).statusCode);
    } finally {
      Reflect.deleteProperty(subtle, 'verify');
    }
    assert.equal(subtle.verify, original, 'the spy is gone');
    assert.deepEqual(statuses, [401, 401, 401, 200, 200]);
    // One MAC check per token: the three forgeries and the first use of the real one; its
    // second use is served from the cache of verified tokens.
    assert.deepEqual(algorithms, ['HMAC', 'HMAC', 'HMAC', 'HMAC']);
  });

  it('AB-11 a presented refresh token is compared with the stored hashes by timingSafeEqual, also when it is a guess', async () => {
    const t = await setup({ tokens: { refresh: { graceSeconds: 10 } } });
    const pair = await t.tokens.login(await t.manager.loadById(null), 'alice');
    const sid = pair.refresh_token.split('.')[0] as string;
    const guess = await countCrypto(['timingSafeEqual'], async () => {
      const outcome = await t.tokens.refresh(`${sid}.${b64(32)}`);
      assert.equal(outcome.ok ? 'ok' : outcome.code, 'ERR_REFRESH_TOKEN_INVALID');
    });
    assert.ok(guess.timingSafeEqual >= 1, 'compared with the current hash');
    const real = await countCrypto(['timingSafeEqual'], async () => assert.ok((await t.tokens.refresh(pair.refresh_token)).ok));
    assert.ok(real.timingSafeEqual >= 1);
  });

  it('AB-07 10 000 random refresh tokens: each is refused with one store read and no hashing at all; guesses for a real session cost one read and a fixed amount of hashing, write nothing and end nothing', async () => {
    const t = await setup();
    const pair = await t.tokens.login(await t.manager.loadById(null), 'alice');
    const calls: StoreCall[] = [];
    t.manager.onStoreCall((call) => void calls.push(call));
    const codes = new Set<string>();
    const refuse = async (token: unknown) => {
      const outcome = await t.tokens.refresh(token);
      codes.add(outcome.ok ? 'ok' : outcome.code);
    };

    const random = await countCrypto(['createHash', 'createHmac'], async () => {
      for (let i = 0; i < 10_000; i++) await refuse(`${b64(18)}.${b64(32)}`);
    });
    assert.deepEqual(random, { createHash: 0, createHmac: 0 }, 'decided on the store miss, before any hashing');
    assert.equal(calls.length, 10_000);
    assert.ok(
      calls.every((call) => call.op === 'get' && call.outcome === 'miss'),
      'one read each, no write',
    );

    calls.length = 0;
    const malformed = await countCrypto(['createHash', 'createHmac'], async () => {
      for (const token of [
        '',
        'x',
        `${b64(18)}.${b64(32)}=`,
        `${b64(18)}:${b64(32)}`,
        `${b64(18)}.${b64(31)}`,
        'a'.repeat(10_000),
        42,
        null,
        ['x'],
        { sid: 'x' },
      ])
        await refuse(token);
    });
    assert.deepEqual(malformed, { createHash: 0, createHmac: 0 });
    assert.equal(calls.length, 0, 'a malformed token never reaches the store');

    // The session id is not secret (it is the device handle): guessing the secret for it.
    const sid = pair.refresh_token.split('.')[0] as string;
    const guessed = await countCrypto(['createHash', 'createHmac'], async () => {
      for (let i = 0; i < 1000; i++) await refuse(`${sid}.${b64(32)}`);
    });
    assert.deepEqual(guessed, { createHash: 2000, createHmac: 1000 }, 'two SHA-256 and one HMAC per guess, nothing costlier');
    assert.equal(calls.length, 1000);
    assert.ok(
      calls.every((call) => call.op === 'get' && call.outcome === 'ok'),
      'one read each, no write',
    );
    assert.deepEqual([...codes], ['ERR_REFRESH_TOKEN_INVALID']);
    assert.ok((await t.tokens.refresh(pair.refresh_token)).ok, 'the real token still works: guesses end nothing');
  });
});
