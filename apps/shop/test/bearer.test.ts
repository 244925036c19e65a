// Bearer mode in the shop: the seeds' anonymous-token flow (first visit, /user/me,
// /anonymous-data), password login for token clients with the anonymous cart kept, refresh
// with rotation, revocation, the JWKS, and the rules that keep tokens out of URLs and cookies
// out of bearer responses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createBrowser, createShop, PASSWORD } from './helpers.js';

interface Pair {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));

/** A token client (SPA or mobile app): keeps its tokens, sends the access token as a header. */
function tokenClient(app: FastifyInstance) {
  const client = {
    pair: null as Pair | null,
    async call(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
      const headers: Record<string, string> = client.pair ? { authorization: `Bearer ${client.pair.access_token}` } : {};
      const res = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
      assert.equal(res.headers['set-cookie'], undefined, `${method} ${url} set no cookie`);
      return res;
    },
    async take(res: LightMyRequestResponse): Promise<Pair> {
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      client.pair = res.json() as Pair;
      return client.pair;
    },
  };
  return client;
}

async function register(app: FastifyInstance, username: string): Promise<string> {
  const res = await createBrowser(app).post('/register', { username, password: PASSWORD });
  assert.equal(res.statusCode, 201);
  return res.json().id;
}

describe('bearer mode in the shop', () => {
  it('seed 000: first visit gets an anonymous token; /user/me and /anonymous-data know the visitor', async () => {
    const { app } = await createShop();
    const client = tokenClient(app);
    const pair = await client.take(await client.call('POST', '/anonymous-login'));
    assert.equal(pair.token_type, 'Bearer');
    assert.equal(pair.expires_in, 1800, "the shop's default: 30 minutes, as the tutorial's");
    const anonymousId = payloadOf(pair.access_token).sub;
    assert.match(anonymousId, /^anonymous_[A-Za-z0-9_-]{24}$/);
    assert.deepEqual((await client.call('GET', '/user/me')).json(), { current_user_id: anonymousId });
    await client.call('POST', '/cart/add', { item_id: 1, quantity: 2 });
    assert.deepEqual((await client.call('GET', '/anonymous-data')).json(), {
      anonymous_id: anonymousId,
      data: { cart_items: 1, cart: [{ item_id: 1, quantity: 2 }] },
    });
    const stranger = tokenClient(app);
    assert.equal((await stranger.call('GET', '/user/me')).statusCode, 401);
  });

  it('LC-01/LC-03 POST /token upgrades the anonymous session: cart kept, new session and family, old tokens dead', async () => {
    const { app } = await createShop();
    const userId = await register(app, 'tina');
    const client = tokenClient(app);
    const anonymous = await client.take(await client.call('POST', '/anonymous-login'));
    await client.call('POST', '/cart/add', { item_id: 2 });
    const login = await client.call('POST', '/token', { username: 'tina', password: PASSWORD });
    const user = await client.take(login);
    assert.deepEqual(login.json().user, { id: userId, username: 'tina' });
    assert.equal(payloadOf(user.access_token).sub, userId);
    assert.notEqual(payloadOf(user.access_token).sid, payloadOf(anonymous.access_token).sid);
    assert.deepEqual((await client.call('GET', '/cart')).json().cart, [{ item_id: 2, quantity: 1 }]);
    assert.deepEqual((await client.call('GET', '/anonymous-data')).json(), { message: 'Welcome, registered user tina!' });
    assert.equal((await client.call('GET', '/profile')).statusCode, 200, 'cookie-era routes work with bearer too');

    const old = await app.inject({ method: 'GET', url: '/user/me', headers: { authorization: `Bearer ${anonymous.access_token}` } });
    assert.equal(old.statusCode, 401);
    assert.match(String(old.headers['www-authenticate']), /^Bearer error="invalid_token"/);
    assert.equal(old.json().error.code, 'ERR_TOKEN_SESSION_ENDED');
    const oldRefresh = await app.inject({ method: 'POST', url: '/token/refresh', payload: { refresh_token: anonymous.refresh_token } });
    assert.equal(oldRefresh.statusCode, 401);
  });

  it('AB-05 POST /token with wrong credentials: 401, no tokens, the anonymous session untouched', async () => {
    const { app } = await createShop();
    await register(app, 'uma');
    const client = tokenClient(app);
    await client.take(await client.call('POST', '/anonymous-login'));
    const res = await client.call('POST', '/token', { username: 'uma', password: 'wrong password' });
    assert.deepEqual([res.statusCode, res.json().error.code], [401, 'ERR_INVALID_CREDENTIALS']);
    assert.equal((await client.call('GET', '/user/me')).statusCode, 200);
  });

  it('RT-01/RT-02 refresh rotates; replaying a rotated token after the grace window ends the session', async () => {
    const { app, clock } = await createShop();
    await register(app, 'vic');
    const client = tokenClient(app);
    const first = await client.take(await client.call('POST', '/token', { username: 'vic', password: PASSWORD }));
    const second = await client.take(await app.inject({ method: 'POST', url: '/token/refresh', payload: { refresh_token: first.refresh_token } }));
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal((await client.call('GET', '/profile')).statusCode, 200);
    clock.advance(11_000);
    const replay = await app.inject({ method: 'POST', url: '/token/refresh', payload: { refresh_token: first.refresh_token } });
    assert.deepEqual([replay.statusCode, replay.json().error.code], [401, 'ERR_REFRESH_TOKEN_REUSED']);
    assert.equal((await client.call('GET', '/profile')).statusCode, 401, 'the session ended with the family');
  });

  it('RT-04 ten parallel refreshes (tabs) with one token all get the same successor; nobody is logged out', async () => {
    const { app } = await createShop();
    await register(app, 'wes');
    const client = tokenClient(app);
    const pair = await client.take(await client.call('POST', '/token', { username: 'wes', password: PASSWORD }));
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => app.inject({ method: 'POST', url: '/token/refresh', payload: { refresh_token: pair.refresh_token } })),
    );
    assert.deepEqual(
      answers.map((a) => a.statusCode),
      Array(10).fill(200),
    );
    assert.equal(new Set(answers.map((a) => a.json().refresh_token)).size, 1);
    await client.take(answers[0]!);
    assert.equal((await client.call('GET', '/profile')).statusCode, 200);
  });

  it('POST /token/revoke ends the session (logout for token clients), and answers the same for junk', async () => {
    const { app } = await createShop();
    await register(app, 'xena');
    const client = tokenClient(app);
    const pair = await client.take(await client.call('POST', '/token', { username: 'xena', password: PASSWORD }));
    for (const token of [pair.refresh_token, 'junk']) {
      const res = await app.inject({ method: 'POST', url: '/token/revoke', payload: { token } });
      assert.deepEqual([res.statusCode, res.json()], [200, { ok: true }]);
    }
    assert.equal((await client.call('GET', '/profile')).statusCode, 401);
  });

  it('GET /.well-known/jwks.json publishes the public key the tokens name, and no private part', async () => {
    const { app } = await createShop();
    const client = tokenClient(app);
    const pair = await client.take(await client.call('POST', '/anonymous-login'));
    const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    assert.equal(res.statusCode, 200);
    const { keys } = res.json();
    assert.equal(keys.length, 1);
    assert.deepEqual(Object.keys(keys[0]).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    const kid = JSON.parse(Buffer.from(pair.access_token.split('.')[0] as string, 'base64url').toString()).kid;
    assert.equal(keys[0].kid, kid);
  });

  it('tokens in the URL are refused with 400 ERR_TOKEN_IN_URL on every route', async () => {
    const { app } = await createShop();
    const client = tokenClient(app);
    const pair = await client.take(await client.call('POST', '/anonymous-login'));
    for (const url of [
      `/user/me?access_token=${pair.access_token}`,
      `/token/refresh?refresh_token=${pair.refresh_token}`,
      `/token/revoke?token=${pair.refresh_token}`,
      `/cart?access_token=x`,
    ]) {
      const res = await app.inject({ method: url.startsWith('/token') ? 'POST' : 'GET', url, payload: url.startsWith('/token') ? {} : undefined });
      assert.deepEqual([res.statusCode, res.json().error.code], [400, 'ERR_TOKEN_IN_URL'], url);
    }
  });

  it('BI-10 bad refresh and revoke bodies: 400/422, never 5xx', async () => {
    const { app } = await createShop();
    for (const url of ['/token/refresh', '/token/revoke']) {
      const broken = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '{"refresh_token":' });
      assert.equal(broken.statusCode, 400);
      for (const payload of [{}, { refresh_token: ['a'] }, { token: { $ne: 1 } }, { refresh_token: 'x'.repeat(1000) }]) {
        const res = await app.inject({ method: 'POST', url, payload });
        assert.equal(res.statusCode, 422, `${url} ${JSON.stringify(payload).slice(0, 30)}`);
      }
    }
  });

  it('a browser with a cookie that logs in through POST /token keeps its cookie session as it was', async () => {
    const { app } = await createShop();
    await register(app, 'yann');
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 4 });
    const cookie = browser.cookie;
    const res = await browser.post('/token', { username: 'yann', password: PASSWORD });
    assert.equal(res.statusCode, 200);
    assert.equal(browser.cookie, cookie, 'no Set-Cookie');
    assert.equal((await browser.get('/profile')).statusCode, 401, 'the cookie session is still anonymous');
    assert.deepEqual((await browser.get('/cart')).json().cart, [{ item_id: 4, quantity: 1 }]);
  });
});
