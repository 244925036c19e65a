// JW-07 … JW-09, JW-19, JW-21, JW-23, JW-24 and BI-12 … BI-15: what a verified token must say,
// how long it lives, and that it dies with its session.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredKey } from '../src/index.js';
import { addNextKey, retireKeys, rotateKeyFile } from '../src/index.js';
import { b64, bearerError, claimsFor, compact, getMe, headerOf, hmacToken, payloadOf, setup } from './helpers.js';

async function hsSetup(tokens: Parameters<typeof setup>[0] extends infer O ? (O extends { tokens?: infer T } ? T : never) : never = {}) {
  const t = await setup({ alg: 'HS256', tokens });
  const pair = await t.tokens.anonymous();
  const sid = payloadOf(pair.access_token).sid as string;
  const secret = Buffer.from((t.keys.keys[0] as StoredKey).k as string, 'base64url');
  const header = headerOf(pair.access_token);
  // Validly MACed with the service's own key: only the claims decide.
  const sign = (payload: unknown, h: unknown = header) => hmacToken(h, payload, secret);
  const status = async (token: string) => (await getMe(t.app, `Bearer ${token}`)).statusCode;
  return { ...t, pair, sid, sign, status, header, good: () => claimsFor(sid, `anonymous_${sid}`, t.clock) };
}

describe('claims', () => {
  it('JW-07 time claims: missing exp, expired beyond leeway, nbf and iat in the future, non-integer exp: 401', async () => {
    const t = await hsSetup();
    const now = Math.floor(t.clock.now() / 1000);
    assert.equal(await t.status(t.sign(t.good())), 200, 'a well-formed token passes');
    const { exp: _exp, ...noExp } = t.good();
    const cases: Record<string, unknown>[] = [
      noExp,
      { ...t.good(), iat: now - 1000, exp: now - 31 },
      { ...t.good(), nbf: now + 31 },
      { ...t.good(), iat: now + 31, exp: now + 600 },
      { ...t.good(), exp: String(now + 600) },
      { ...t.good(), exp: now + 600.5 },
      { ...t.good(), exp: -1 },
      { ...t.good(), iat: now - 10, exp: now + 100_000 },
    ];
    for (const claims of cases) assert.equal(await t.status(t.sign(claims)), 401, JSON.stringify(claims));
    // Within the 30 s leeway, and not beyond it. (JW-07: leeway never exceeds L)
    assert.equal(await t.status(t.sign({ ...t.good(), iat: now - 900, exp: now - 29 })), 200);
    assert.equal(await t.status(t.sign({ ...t.good(), iat: now - 900, exp: now - 30 })), 401);
  });

  it('BI-15 numeric edge cases: "9999999999", 1e309, -1, 2**53+1, NaN text: 401', async () => {
    const t = await hsSetup();
    const now = Math.floor(t.clock.now() / 1000);
    const raw = (exp: string) => `{"sub":"anonymous_${t.sid}","sid":"${t.sid}","jti":"j","iat":${now},"exp":${exp}}`;
    for (const exp of ['"9999999999"', '1e309', '-1', String(2 ** 53 + 2), 'NaN', '9007199254740993']) {
      assert.equal(await t.status(t.sign(raw(exp))), 401, exp);
    }
    assert.equal(await t.status(t.sign(raw(String(now + 60)))), 200, 'the same raw payload with a sane exp passes');
  });

  it("JW-08 sub, sid and jti of the wrong type, or a sub that is not the session's: 401; iss/aud enforced when configured", async () => {
    const t = await hsSetup();
    for (const patch of [
      { sub: ['a'] },
      { sub: 42 },
      { sub: { id: 1 } },
      { jti: ['x'] },
      { jti: 7 },
      { sid: [t.sid] },
      { sid: 'x'.repeat(24) },
      { sub: 'someone-else' },
    ]) {
      assert.equal(await t.status(t.sign({ ...t.good(), ...patch })), 401, JSON.stringify(patch));
    }
    const strict = await hsSetup({ issuer: 'https://shop.example', audience: 'shop-api' });
    const issued = payloadOf(strict.pair.access_token);
    assert.equal(issued.iss, 'https://shop.example');
    assert.equal(issued.aud, 'shop-api');
    assert.equal(await strict.status(strict.pair.access_token), 200);
    const base = { ...strict.good(), iss: 'https://shop.example', aud: 'shop-api' };
    assert.equal(await strict.status(strict.sign({ ...base, aud: ['other', 'shop-api'] })), 200, 'aud as an array naming us is valid (RFC 7519)');
    for (const patch of [
      { iss: 'https://evil.example' },
      { iss: ['https://shop.example', 'evil'] },
      { aud: undefined },
      { aud: 'other-api' },
      { iss: undefined },
    ]) {
      assert.equal(await strict.status(strict.sign({ ...base, ...patch })), 401, JSON.stringify(patch));
    }
  });

  it('JW-09 only typ at+jwt passes: JWT, id-token types, a refresh token and no typ are 401', async () => {
    const t = await hsSetup();
    for (const typ of ['JWT', 'jwt', 'id_token+jwt', 'rt+jwt', 'csrf+jwt', undefined]) {
      assert.equal(await t.status(t.sign(t.good(), { ...t.header, typ })), 401, String(typ));
    }
    assert.equal(await t.status(t.sign(t.good(), { ...t.header, typ: 'application/at+jwt' })), 200, 'the media-type spelling of the same type');
    assert.equal(await t.status(t.pair.refresh_token), 401, 'a refresh token is no access token');
    const refreshed = await t.tokens.refresh(t.pair.access_token);
    assert.equal(refreshed.ok, false, 'an access token is no refresh token');
  });

  it('JW-19 issued tokens carry only sub, sid, iat, exp, jti (and iss/aud when configured)', async () => {
    const t = await hsSetup();
    assert.deepEqual(Object.keys(payloadOf(t.pair.access_token)).sort(), ['exp', 'iat', 'jti', 'sid', 'sub']);
    assert.deepEqual(Object.keys(headerOf(t.pair.access_token)).sort(), ['alg', 'kid', 'typ']);
    const p = payloadOf(t.pair.access_token);
    assert.equal((p.exp as number) - (p.iat as number), 900, 'default lifetime 15 minutes');
  });

  it('BI-12 / BI-13 / BI-14 malformed headers and tokens: 401, deterministic', async () => {
    const t = await hsSetup();
    const token = t.pair.access_token;
    const headers = [
      'Bearer ',
      'Bearer',
      `Bearer  ${token}`,
      `Bearer ${token} `,
      `Bearer ${token} extra`,
      'Bearer a.b',
      'Bearer a.b.',
      'Bearer ...',
      'Bearer !!!.@@@.###',
      `Bearer ${b64('not json')}.${token.split('.')[1]}.${token.split('.')[2]}`,
      `Bearer ${t.sign('[1,2,3]')}`,
      `Bearer ${t.sign('42')}`,
      `Bearer ${t.sign('"text"')}`,
      `Bearer ${compact('{"alg":"HS256","alg":"none"}', t.good(), '')}`,
      `Bearer ${t.sign(t.good(), `{"alg":"HS256","typ":"at+jwt","kid":"${String(t.header.kid)}","alg":"none"}`)}`,
    ];
    for (const value of headers) {
      const res = await getMe(t.app, value);
      assert.equal(res.statusCode, 401, value.slice(0, 40));
      assert.match(String(res.headers['www-authenticate']), /^Bearer error="invalid_(token|request)"/);
    }
    // BI-14: invalid UTF-8, overlong encodings, lone surrogates in claims.
    const good = JSON.stringify(t.good());
    const bytes = (s: string) => Buffer.from(s, 'latin1');
    const badUtf8 = [
      Buffer.concat([bytes(good.slice(0, -1)), bytes(',"x":"'), Buffer.from([0xff, 0xfe]), bytes('"}')]),
      Buffer.concat([bytes(good.slice(0, -1)), bytes(',"x":"'), Buffer.from([0xc0, 0xaf]), bytes('"}')]),
    ];
    for (const payload of badUtf8) {
      const body = `${b64(t.header)}.${payload.toString('base64url')}`;
      const { createHmac } = await import('node:crypto');
      const mac = createHmac('sha256', Buffer.from((t.keys.keys[0] as StoredKey).k as string, 'base64url'))
        .update(body)
        .digest('base64url');
      assert.equal(await t.status(`${body}.${mac}`), 401);
    }
    assert.equal(await t.status(t.sign(`${good.slice(0, -1)},"x":"\\ud800"}`)), 401, 'lone surrogate');
    assert.equal(await t.status(t.sign(`${good.slice(0, -1)},"x":"\\ud83d\\ude00"}`)), 200, 'a proper surrogate pair is fine');
    // Lower-case scheme is the same scheme (RFC 7235), documented.
    assert.equal((await getMe(t.app, `bearer ${token}`)).statusCode, 200);
  });

  it('JW-21 a 64 KB Authorization header is refused before any parsing', async () => {
    const t = await hsSetup();
    const huge = `Bearer ${'a'.repeat(20_000)}.${'b'.repeat(20_000)}.${'c'.repeat(20_000)}`;
    const started = performance.now();
    const res = await getMe(t.app, huge);
    assert.deepEqual(bearerError(res), { status: 401, error: 'invalid_token', code: 'ERR_TOKEN_MALFORMED', setCookie: undefined });
    assert.ok(performance.now() - started < 1000);
  });
});

describe('keys and sessions', () => {
  it('JW-23 a token of the previous key works during the overlap and is refused once it is retired', async () => {
    const t = await setup({ alg: 'EdDSA' });
    const old = await t.tokens.anonymous();
    assert.equal((await getMe(t.app, `Bearer ${old.access_token}`)).statusCode, 200);
    const published = await addNextKey(t.keys, 'EdDSA', t.clock.now());
    await t.tokens.setKeys(published);
    assert.equal(t.tokens.jwks().keys.length, 2, 'the next key is published before it signs');
    const rotated = await rotateKeyFile(published, { now: t.clock.now(), overlapSeconds: 1800 });
    await t.tokens.setKeys(rotated);
    const fresh = await t.tokens.anonymous();
    assert.notEqual(headerOf(fresh.access_token).kid, headerOf(old.access_token).kid);
    assert.equal((await getMe(t.app, `Bearer ${old.access_token}`)).statusCode, 200, 'old key accepted during the overlap');
    t.clock.advance(1800_000);
    assert.equal((await getMe(t.app, `Bearer ${old.access_token}`)).statusCode, 401, 'past retireAt: refused even from the cache');
    await t.tokens.setKeys(retireKeys(rotated, t.clock.now()));
    assert.equal(t.tokens.jwks().keys.length, 1);
  });

  it("JW-24 / JW-13 a revoked device's unexpired, cached access token is refused on its next request", async () => {
    const t = await setup();
    const phone = await t.tokens.login(await t.manager.loadById(null), 'alice');
    const laptop = await t.tokens.login(await t.manager.loadById(null), 'alice');
    for (let i = 0; i < 3; i++) assert.equal((await getMe(t.app, `Bearer ${phone.access_token}`)).statusCode, 200);
    const phoneSid = payloadOf(phone.access_token).sid as string;
    assert.equal(await t.manager.revokeSession('alice', phoneSid), true);
    const res = await getMe(t.app, `Bearer ${phone.access_token}`);
    assert.deepEqual(bearerError(res), { status: 401, error: 'invalid_token', code: 'ERR_TOKEN_SESSION_ENDED', setCookie: undefined });
    assert.equal((await getMe(t.app, `Bearer ${laptop.access_token}`)).statusCode, 200, 'the other device is untouched');
    assert.equal((await t.tokens.refresh(phone.refresh_token)).ok, false, 'its refresh token died with it');
  });

  it('JW-14 after revocation, re-encodings of the token (altered unused base64 bits) are refused too', async () => {
    const t = await setup({ alg: 'HS256' });
    const pair = await t.tokens.login(await t.manager.loadById(null), 'nina');
    const [h, p, s] = pair.access_token.split('.') as [string, string, string];
    // 32 bytes take 43 characters: the last one carries 2 unused bits.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s.slice(-1));
    const variants = [1, 2, 3].map((bits) => `${h}.${p}.${s.slice(0, -1)}${alphabet[(last & ~3) | bits]}`).filter((v) => v !== pair.access_token);
    assert.equal((await getMe(t.app, `Bearer ${pair.access_token}`)).statusCode, 200);
    await t.manager.revokeAllSessions('nina');
    for (const token of [pair.access_token, ...variants]) assert.equal((await getMe(t.app, `Bearer ${token}`)).statusCode, 401, token.slice(-4));
  });

  it('BI-11 __proto__ and constructor claims pollute nothing', async () => {
    const t = await hsSetup();
    const claims = `{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},${JSON.stringify(t.good()).slice(1)}`;
    const res = await getMe(t.app, `Bearer ${t.sign(claims)}`);
    assert.ok(res.statusCode === 200 || res.statusCode === 401);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('expired access tokens say so, so clients know to refresh', async () => {
    const t = await setup({ tokens: { accessTokenTtl: 60 } });
    const pair = await t.tokens.anonymous();
    assert.equal(pair.expires_in, 60);
    t.clock.advance(91_000);
    const res = await getMe(t.app, `Bearer ${pair.access_token}`);
    assert.deepEqual(bearerError(res), { status: 401, error: 'invalid_token', code: 'ERR_TOKEN_EXPIRED', setCookie: undefined });
  });

  it('JW-18 an access-token lifetime over an hour is a start-up error', async () => {
    await assert.rejects(setup({ tokens: { accessTokenTtl: 3601 } }), /accessTokenTtl/);
    await assert.rejects(setup({ tokens: { clockTolerance: 300 } }), /clockTolerance/);
    await assert.rejects(setup({ tokens: { typ: 'JWT' } }), /typ/);
  });
});
