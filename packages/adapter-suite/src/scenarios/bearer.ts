// Bearer mode, the same on every adapter: the Authorization header wins, and every refusal
// has its RFC 6750 shape. (BI-12, BI-13)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionManager } from 'coatcheck';
import { createTokenService, generateKeyFile, type TokenService } from '@coatcheck/tokens';
import { buildHarness, cookiePair, HTTPS, SECRET, type AppFactory, type Clock } from '../harness.js';

let tokens: TokenService | null = null;
const withTokens = async (manager: SessionManager, clock: Clock) => {
  tokens = await createTokenService({ manager, keys: await generateKeyFile('HS256'), refreshSecret: SECRET, now: clock.now });
  return { bearer: tokens };
};

async function accessToken(manager: SessionManager, userId: string): Promise<string> {
  return (await (tokens as TokenService).login(await manager.loadById(null), userId)).access_token;
}

function assertRefusal(
  res: { status: number; headers: Record<string, string>; cookies: string[]; json(): any },
  status: number,
  error: string,
  code?: string,
): void {
  assert.equal(res.status, status);
  assert.match(res.headers['www-authenticate'] ?? '', new RegExp(`^Bearer error="${error}"`));
  if (code !== undefined) assert.equal(res.json().error.code, code);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.deepEqual(res.cookies, []);
}

export function bearerScenarios(factory: AppFactory): void {
  describe('bearer tokens', () => {
    it('BI-13 a valid token gives its session; the Authorization header wins over a cookie of another user; no Set-Cookie', async () => {
      const { app, manager } = await buildHarness(factory, {}, undefined, withTokens);
      const cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS, json: { user: 'mallory' } }));
      const token = await accessToken(manager, 'alice');
      const res = await app.request({ path: '/me', headers: { ...HTTPS, cookie, authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, res.body);
      assert.equal(res.json().userId, 'alice');
      assert.deepEqual(res.cookies, []);
      const viaCookie = await app.request({ path: '/me', headers: { ...HTTPS, cookie } });
      assert.equal(viaCookie.json().userId, 'mallory');
    });

    it('BI-12 an invalid token: 401 invalid_token; a header without a token: 401 invalid_request', async () => {
      const { app, manager } = await buildHarness(factory, {}, undefined, withTokens);
      const token = await accessToken(manager, 'alice');
      const forged = `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
      assertRefusal(await app.request({ path: '/me', headers: { ...HTTPS, authorization: `Bearer ${forged}` } }), 401, 'invalid_token', 'ERR_TOKEN_INVALID');
      assertRefusal(await app.request({ path: '/me', headers: { ...HTTPS, authorization: 'Bearer not-a-jwt' } }), 401, 'invalid_token', 'ERR_TOKEN_MALFORMED');
      assertRefusal(await app.request({ path: '/me', headers: { ...HTTPS, authorization: 'Bearer' } }), 401, 'invalid_request');
    });

    it('BI-13 two Authorization headers are ambiguous: 401 invalid_request, whichever comes first', async () => {
      const { app, manager } = await buildHarness(factory, {}, undefined, withTokens);
      const token = await accessToken(manager, 'alice');
      for (const pair of [
        [`Bearer ${token}`, 'Bearer x'],
        ['Bearer x', `Bearer ${token}`],
      ]) {
        assertRefusal(await app.request({ path: '/me', headers: { ...HTTPS, authorization: pair } }), 401, 'invalid_request', 'ERR_TOKEN_AMBIGUOUS');
      }
    });

    it('BI-12 tokens in the query string are refused with 400 ERR_TOKEN_IN_URL, even on public routes', async () => {
      const { app, manager } = await buildHarness(factory, {}, undefined, withTokens);
      const token = await accessToken(manager, 'alice');
      for (const path of [`/me?access_token=${token}`, `/public?x=1&refresh_token=abc`, `/me?ACCESS_TOKEN=${token}`]) {
        assertRefusal(await app.request({ path, headers: HTTPS }), 400, 'invalid_request', 'ERR_TOKEN_IN_URL');
      }
      assert.equal((await app.request({ path: '/public?token_hint=1', headers: HTTPS })).status, 200);
    });

    it('BI-13 a bearer request skips the cookie CSRF check and an unsafe request with a token works cross-site', async () => {
      const { app, manager } = await buildHarness(factory, {}, undefined, withTokens);
      const token = await accessToken(manager, 'alice');
      const res = await app.request({
        method: 'POST',
        path: '/cart',
        headers: { 'x-forwarded-proto': 'https', origin: 'https://elsewhere.test', 'sec-fetch-site': 'cross-site', authorization: `Bearer ${token}` },
        json: { item: 'pear' },
      });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(res.cookies, []);
      assert.deepEqual((await app.request({ path: '/me', headers: { ...HTTPS, authorization: `Bearer ${token}` } })).json().cart, ['pear']);
    });
  });
}
