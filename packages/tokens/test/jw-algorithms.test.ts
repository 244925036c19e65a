// JW-01 … JW-06, JW-10 … JW-12, JW-22: what a token may be signed with, and with which key.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { SignJWT, exportJWK, generateSecret } from 'jose';
import { SessionConfigError } from 'coatcheck';
import { createTokenService, type StoredKey, type TokenAlgorithm } from '../src/index.js';
import { bearerError, claimsFor, compact, getMe, headerOf, hmacToken, setup, SECRET } from './helpers.js';

const ALGS: TokenAlgorithm[] = ['EdDSA', 'ES256', 'HS256'];

async function anonymousToken(t: Awaited<ReturnType<typeof setup>>) {
  const pair = await t.tokens.anonymous();
  const res = await getMe(t.app, `Bearer ${pair.access_token}`);
  assert.equal(res.statusCode, 200, 'the genuine token works');
  return { pair, sid: res.json().id as string };
}

for (const alg of ALGS) {
  describe(`access tokens signed with ${alg}`, () => {
    it('JW-01 alg none in any casing, with empty or bogus signatures: 401', async () => {
      const t = await setup({ alg });
      const { pair, sid } = await anonymousToken(t);
      const kid = headerOf(pair.access_token).kid;
      const claims = claimsFor(sid, `anonymous_${sid}`, t.clock);
      for (const none of ['none', 'None', 'NONE', 'nOnE']) {
        for (const signature of ['', 'AAAA', pair.access_token.split('.')[2] as string]) {
          const token = compact({ alg: none, kid, typ: 'at+jwt' }, claims, signature);
          const res = await getMe(t.app, `Bearer ${token}`);
          assert.equal(res.statusCode, 401, `${none} / ${signature.length}`);
        }
      }
      assert.equal(t.calls.me, 1, 'no refused request reached the route');
    });

    it('JW-05 one flipped bit in header, payload or signature, truncation, a spliced signature: 401', async () => {
      const t = await setup({ alg });
      const { pair } = await anonymousToken(t);
      const other = (await t.tokens.anonymous()).access_token;
      const [h, p, s] = pair.access_token.split('.') as [string, string, string];
      const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
      const variants = [
        `${flip(h, 5)}.${p}.${s}`,
        `${h}.${flip(p, 10)}.${s}`,
        `${h}.${p}.${flip(s, 3)}`,
        `${h}.${p}.${s.slice(0, -4)}`,
        `${h}.${p}.${other.split('.')[2]}`,
        `${h}.${p}.`,
      ];
      for (const token of variants) assert.equal((await getMe(t.app, `Bearer ${token}`)).statusCode, 401, token);
      assert.equal(t.calls.me, 1);
    });
  });
}

describe('algorithm pinning', () => {
  for (const alg of ['EdDSA', 'ES256'] as const) {
    it(`JW-03 HS256/384/512 tokens MACed with the ${alg} public key in every encoding: 401`, async () => {
      const t = await setup({ alg });
      const { pair, sid } = await anonymousToken(t);
      const stored = t.keys.keys[0] as StoredKey;
      const publicJwk = { kty: stored.kty, crv: stored.crv, x: stored.x, ...(stored.y ? { y: stored.y } : {}) };
      const key = createPublicKey({ key: publicJwk as never, format: 'jwk' });
      const pem = key.export({ type: 'spki', format: 'pem' }) as string;
      const der = key.export({ type: 'spki', format: 'der' });
      const encodings: (string | Buffer)[] = [
        pem,
        pem.trim(),
        `${pem}\n`,
        der,
        der.toString('base64'),
        JSON.stringify(publicJwk),
        JSON.stringify({ ...publicJwk, kid: stored.kid, alg }),
        Buffer.from(stored.x as string, 'base64url'),
      ];
      if (alg === 'EdDSA') {
        const raw = Buffer.from(stored.x as string, 'base64url');
        const part = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
        const wire = Buffer.concat([part(Buffer.from('ssh-ed25519')), part(raw)]);
        encodings.push(`ssh-ed25519 ${wire.toString('base64')}`, `ssh-ed25519 ${wire.toString('base64')}\n`);
      }
      const claims = claimsFor(sid, `anonymous_${sid}`, t.clock);
      for (const hs of ['HS256', 'HS384', 'HS512']) {
        for (const encoding of encodings) {
          const token = hmacToken({ alg: hs, kid: stored.kid, typ: 'at+jwt' }, claims, encoding);
          assert.equal((await getMe(t.app, `Bearer ${token}`)).statusCode, 401, `${hs} with ${String(encoding).slice(0, 30)}`);
        }
      }
      assert.ok(pair);
      assert.equal(t.calls.me, 1);
    });
  }

  it("JW-02 (b) a validly signed token with an algorithm outside the key's one: 401", async () => {
    const t = await setup({ alg: 'ES256' });
    const { sid } = await anonymousToken(t);
    const kid = (t.keys.keys[0] as StoredKey).kid;
    const hs384 = await generateSecret('HS384');
    const token = await new SignJWT({ sid })
      .setProtectedHeader({ alg: 'HS384', kid, typ: 'at+jwt' })
      .setSubject(`anonymous_${sid}`)
      .setJti('x')
      .setIssuedAt(Math.floor(t.clock.now() / 1000))
      .setExpirationTime(Math.floor(t.clock.now() / 1000) + 60)
      .sign(hs384);
    const res = await getMe(t.app, `Bearer ${token}`);
    assert.deepEqual(bearerError(res), { status: 401, error: 'invalid_token', code: 'ERR_TOKEN_INVALID', setCookie: undefined });
  });

  it('JW-02 (a) / JW-04 a key without an algorithm, or with the wrong kind of key, fails at start-up', async () => {
    const t = await setup({ alg: 'EdDSA' });
    const ed = t.keys.keys[0] as StoredKey;
    const ec = await exportJWK(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    const p384 = await exportJWK(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey);
    const rsa = await exportJWK(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey);
    const bad: Record<string, unknown>[] = [
      { ...ed, alg: undefined },
      { ...ed, alg: 'RS256' },
      { ...ed, alg: 'none' },
      { ...ec, kid: 'ec', alg: 'EdDSA', state: 'current', createdAt: 0 },
      { ...ec, kid: 'ec', alg: 'RS256', state: 'current', createdAt: 0 },
      { ...p384, kid: 'p384', alg: 'ES256', state: 'current', createdAt: 0 },
      { ...rsa, kid: 'rsa', alg: 'ES256', state: 'current', createdAt: 0 },
      { kty: 'oct', k: Buffer.from('short secret').toString('base64url'), kid: 'hs', alg: 'HS256', state: 'current', createdAt: 0 },
      { kty: 'oct', k: Buffer.alloc(32, 7).toString('base64url'), kid: 'hs', alg: 'ES256', state: 'current', createdAt: 0 },
      { ...ed, kid: '../../etc/passwd' },
      { ...ed, state: 'previous', retireAt: Number.MAX_SAFE_INTEGER },
    ];
    for (const key of bad) {
      await assert.rejects(
        createTokenService({ manager: t.manager, keys: { keys: [key as unknown as StoredKey] }, refreshSecret: SECRET }),
        SessionConfigError,
        JSON.stringify(key).slice(0, 80),
      );
    }
    await assert.rejects(createTokenService({ manager: t.manager, keys: { keys: [] }, refreshSecret: SECRET }), SessionConfigError);
    await assert.rejects(createTokenService({ manager: t.manager, keys: { keys: [ed, ed] }, refreshSecret: SECRET }), SessionConfigError, 'two current keys');
    await assert.rejects(createTokenService({ manager: t.manager, keys: t.keys, refreshSecret: 'too short' }), SessionConfigError);
  });

  it('JW-10 keys carried in the token (jwk, jku, x5u, x5c) are never used: 401', async () => {
    const t = await setup({ alg: 'EdDSA' });
    const { sid } = await anonymousToken(t);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwk = await exportJWK(publicKey);
    const claims = { sid };
    const iat = Math.floor(t.clock.now() / 1000);
    for (const header of [
      { jwk },
      { jku: 'http://127.0.0.1:1/jwks.json' },
      { x5u: 'http://127.0.0.1:1/cert.pem' },
      { x5c: ['MIIB'] },
      { jwk, kid: 'attacker' },
    ]) {
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', ...header } as never)
        .setSubject(`anonymous_${sid}`)
        .setJti('j')
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(privateKey);
      assert.equal((await getMe(t.app, `Bearer ${token}`)).statusCode, 401, JSON.stringify(header).slice(0, 40));
    }
  });

  it('JW-11 kid is data: path, injection, huge, unknown, number and object kids are 401', async () => {
    const t = await setup({ alg: 'HS256' });
    const { sid } = await anonymousToken(t);
    const secret = Buffer.from((t.keys.keys[0] as StoredKey).k as string, 'base64url');
    const claims = claimsFor(sid, `anonymous_${sid}`, t.clock);
    for (const kid of ['../../../../dev/null', "' OR '1'='1", '$(id)', 'x'.repeat(10_000), 'unknown', '__proto__', 'constructor', 42, { $ne: null }, null]) {
      // Validly MACed with the real secret: only the kid is wrong.
      const token = hmacToken({ alg: 'HS256', typ: 'at+jwt', kid }, claims, secret);
      const res = await getMe(t.app, `Bearer ${token}`);
      assert.equal(res.statusCode, 401, String(kid).slice(0, 30));
    }
    assert.equal(t.calls.me, 1);
  });

  it('JW-12 an unknown critical header: 401', async () => {
    const t = await setup({ alg: 'HS256' });
    const { pair, sid } = await anonymousToken(t);
    const stored = t.keys.keys[0] as StoredKey;
    const secret = Buffer.from(stored.k as string, 'base64url');
    const header = { ...headerOf(pair.access_token), crit: ['exp-ext'], 'exp-ext': 1 };
    assert.equal((await getMe(t.app, `Bearer ${hmacToken(header, claimsFor(sid, `anonymous_${sid}`, t.clock), secret)}`)).statusCode, 401);
    // The same token without crit passes: the test can fail for the right reason only.
    const plain = hmacToken(headerOf(pair.access_token), claimsFor(sid, `anonymous_${sid}`, t.clock), secret);
    assert.equal((await getMe(t.app, `Bearer ${plain}`)).statusCode, 200);
  });

  it('JW-06 / JW-22 only compact JWS: JSON serialization, 2 or 4 or 5 segments (JWE), padding, whitespace, +/: 401', async () => {
    const t = await setup({ alg: 'HS256' });
    const { pair } = await anonymousToken(t);
    const [h, p, s] = pair.access_token.split('.') as [string, string, string];
    const forms = [
      JSON.stringify({ protected: h, payload: p, signature: s }),
      `${h}.${p}`,
      `${h}.${p}.${s}.${s}`,
      `${h}.${p}.${s}.${s}.${s}`,
      `${h}=.${p}.${s}`,
      `${h}.${p}.${s}=`,
      `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}x+/`,
      `${h} .${p}.${s}`,
      `${h}.${p}.${s} `,
      `"${pair.access_token}"`,
      `{${pair.access_token}}`,
    ];
    for (const token of forms) assert.equal((await getMe(t.app, `Bearer ${token}`)).statusCode, 401, token.slice(0, 30));
  });
});
