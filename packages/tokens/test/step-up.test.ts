// Bearer sessions and step-up: access tokens carry the session's factors (`amr` names and
// `auth_time`), and a bearer request sees the same freshness as a cookie request, because the
// token names the session and `requireFresh` reads the session. (SU-08)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { coatcheck } from '@coatcheck/fastify';
import { createTokenService } from '../src/index.js';
import type { StoredKey } from '../src/index.js';
import { claimsFor, createClock, getMe, headerOf, hmacToken, keyFileFor, payloadOf, SECRET, setup, T0 } from './helpers.js';

const MINUTE = 60_000;

async function stepUpApp() {
  const clock = createClock();
  const manager = createSessionManager({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets: [SECRET], now: clock.now, production: false });
  const tokens = await createTokenService({ manager, keys: await keyFileFor('EdDSA'), refreshSecret: SECRET, now: clock.now });
  const app = Fastify();
  await app.register(coatcheck, { manager, bearer: tokens });
  app.get('/sudo', async (req) => {
    await req.session.requireFresh({ within: MINUTE, methods: ['otp'] });
    return { ok: true };
  });
  app.post('/step-up', async (req) => {
    const { method, challenge } = req.body as { method: string; challenge: string };
    return tokens.stepUp(req.session, method, { challenge });
  });
  await app.ready();
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  return { app, manager, tokens, clock, bearer };
}

describe('step-up with bearer tokens', () => {
  it('SU-08 access tokens carry amr and auth_time; the bearer session is fresh exactly like the cookie one', async () => {
    const { app, manager, tokens, clock, bearer } = await stepUpApp();
    const first = await tokens.login(await manager.loadById(null), 'alice');
    assert.deepEqual([payloadOf(first.access_token).amr, payloadOf(first.access_token).auth_time], [['pwd'], T0 / 1000]);
    const anonymous = await tokens.anonymous();
    assert.equal('amr' in payloadOf(anonymous.access_token), false, 'no factors, no claim');

    clock.advance(30_000);
    const refused = await app.inject({ method: 'GET', url: '/sudo', headers: bearer(first.access_token) });
    assert.equal(refused.statusCode, 403, refused.body);
    const { challenge, methods } = refused.json().error.stepUp;
    assert.deepEqual(methods, ['otp']);
    const stepped = await app.inject({ method: 'POST', url: '/step-up', headers: bearer(first.access_token), payload: { method: 'otp', challenge } });
    assert.equal(stepped.statusCode, 200, stepped.body);
    const pair = stepped.json();
    assert.deepEqual([payloadOf(pair.access_token).amr, payloadOf(pair.access_token).auth_time], [['pwd', 'otp'], T0 / 1000 + 30]);
    assert.equal(
      (await app.inject({ method: 'GET', url: '/sudo', headers: bearer(first.access_token) })).statusCode,
      401,
      'the step-up moved the session: old tokens end',
    );
    assert.equal((await app.inject({ method: 'GET', url: '/sudo', headers: bearer(pair.access_token) })).statusCode, 200);

    clock.advance(MINUTE + 1000);
    const refreshed = await tokens.refresh(pair.refresh_token);
    assert.ok(refreshed.ok);
    assert.deepEqual(payloadOf(refreshed.tokens.access_token).amr, ['pwd', 'otp'], 'a refresh keeps the claims');
    assert.equal(
      (await app.inject({ method: 'GET', url: '/sudo', headers: bearer(refreshed.tokens.access_token) })).statusCode,
      403,
      'a new token is not a new factor',
    );
  });
});

describe('amr and auth_time on the way in', () => {
  it('SU-08 both or neither: a list of short names and a time not after iat; anything else is 401', async () => {
    const t = await setup({ alg: 'HS256' });
    const pair = await t.tokens.anonymous();
    const sid = payloadOf(pair.access_token).sid as string;
    const key = Buffer.from((t.keys.keys[0] as StoredKey).k as string, 'base64url');
    const good = claimsFor(sid, `anonymous_${sid}`, t.clock);
    const status = async (payload: unknown) => (await getMe(t.app, `Bearer ${hmacToken(headerOf(pair.access_token), payload, key)}`)).statusCode;
    const iat = good.iat as number;
    assert.equal(await status({ ...good, amr: ['pwd', 'otp'], auth_time: iat - 60 }), 200);
    for (const bad of [
      { amr: ['pwd'] },
      { auth_time: iat },
      { amr: 'pwd', auth_time: iat },
      { amr: [''], auth_time: iat },
      { amr: ['x'.repeat(33)], auth_time: iat },
      { amr: Array.from({ length: 17 }, (_, i) => `m${i}`), auth_time: iat },
      { amr: ['pwd'], auth_time: iat + 1 },
      { amr: ['pwd'], auth_time: -1 },
    ]) {
      assert.equal(await status({ ...good, ...bad }), 401, JSON.stringify(bad));
    }
  });
});
