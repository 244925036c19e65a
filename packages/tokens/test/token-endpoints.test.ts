// Token endpoints next to the plugin registered at the root: a client refreshes precisely
// when its access token has expired, and often still sends it. Routes marked
// `config: { session: false }` read no credential but their body, so the expired token
// cannot block its own refresh; every other route still refuses it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { coatcheck } from '@coatcheck/fastify';
import { createTokenService } from '../src/index.js';
import { bearerError, createClock, keyFileFor, SECRET } from './helpers.js';

const MINUTE = 60_000;

async function rootApp(optOut: boolean) {
  const clock = createClock();
  const manager = createSessionManager({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets: [SECRET], now: clock.now, production: false });
  const tokens = await createTokenService({ manager, keys: await keyFileFor('EdDSA'), refreshSecret: SECRET, now: clock.now });
  const app = Fastify();
  await app.register(coatcheck, { manager, bearer: tokens });
  const config = optOut ? { session: false } : {};
  const seen: unknown[] = [];
  app.post<{ Body: { refresh_token?: unknown } }>('/token/refresh', { config }, async (req, reply) => {
    seen.push(req.session);
    const outcome = await tokens.refresh(req.body.refresh_token);
    if (!outcome.ok) return reply.code(401).send({ error: { code: outcome.code, message: outcome.message } });
    return outcome.tokens;
  });
  app.post<{ Body: { token?: unknown } }>('/token/revoke', { config }, async (req) => {
    await tokens.revoke(req.body.token);
    return { ok: true };
  });
  app.get('/me', async (req) => ({ userId: req.session.userId, source: req.sessionSource }));
  app.post('/cart', async (req) => {
    req.session.set('cart', ['apple']);
    return { ok: true };
  });
  await app.ready();
  return { app, tokens, manager, clock, seen };
}

describe('token endpoints with the plugin at the root', () => {
  it('an expired access token sent to the refresh route no longer blocks the refresh', async () => {
    const t = await rootApp(true);
    const pair = await t.tokens.login(await t.manager.loadById(null), 'alice');
    t.clock.advance(16 * MINUTE);
    const stale = { authorization: `Bearer ${pair.access_token}` };
    assert.equal(bearerError(await t.app.inject({ method: 'GET', url: '/me', headers: stale })).code, 'ERR_TOKEN_EXPIRED');
    const res = await t.app.inject({ method: 'POST', url: '/token/refresh', headers: stale, payload: { refresh_token: pair.refresh_token } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.deepEqual(t.seen, [null], 'the route saw no session: none was read');
    const fresh = { authorization: `Bearer ${res.json().access_token}` };
    assert.deepEqual((await t.app.inject({ method: 'GET', url: '/me', headers: fresh })).json(), { userId: 'alice', source: 'bearer' });
  });

  it('without the opt-out the same refresh is refused: the trap the opt-out removes', async () => {
    const t = await rootApp(false);
    const pair = await t.tokens.login(await t.manager.loadById(null), 'alice');
    t.clock.advance(16 * MINUTE);
    const res = await t.app.inject({
      method: 'POST',
      url: '/token/refresh',
      headers: { authorization: `Bearer ${pair.access_token}` },
      payload: { refresh_token: pair.refresh_token },
    });
    assert.equal(bearerError(res).code, 'ERR_TOKEN_EXPIRED');
    assert.deepEqual(t.seen, [], 'the route never ran');
  });

  it('revoking with an expired access token in the header and the body ends the session', async () => {
    const t = await rootApp(true);
    const pair = await t.tokens.login(await t.manager.loadById(null), 'bob');
    t.clock.advance(16 * MINUTE);
    const res = await t.app.inject({
      method: 'POST',
      url: '/token/revoke',
      headers: { authorization: `Bearer ${pair.access_token}` },
      payload: { token: pair.access_token },
    });
    assert.deepEqual([res.statusCode, res.json()], [200, { ok: true }]);
    const refresh = await t.app.inject({ method: 'POST', url: '/token/refresh', payload: { refresh_token: pair.refresh_token } });
    assert.equal(refresh.json().error.code, 'ERR_REFRESH_TOKEN_INVALID');
  });

  it('the opt-out reads no cookie either, and every other route still checks its credential', async () => {
    const t = await rootApp(true);
    const cart = await t.app.inject({ method: 'POST', url: '/cart' });
    const cookie = String(cart.headers['set-cookie']).split(';')[0] as string;
    const res = await t.app.inject({ method: 'POST', url: '/token/refresh', headers: { cookie }, payload: { refresh_token: 'nope' } });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['set-cookie'], undefined, 'the cookie was neither read nor refreshed');
    assert.deepEqual(t.seen, [null]);
    assert.equal(bearerError(await t.app.inject({ method: 'GET', url: '/me', headers: { authorization: 'Bearer a.b.c' } })).code, 'ERR_TOKEN_MALFORMED');
  });

  it('tokens in the URL are still refused on opted-out routes', async () => {
    const t = await rootApp(true);
    const pair = await t.tokens.anonymous();
    const res = await t.app.inject({ method: 'POST', url: `/token/refresh?refresh_token=${pair.refresh_token}`, payload: {} });
    assert.deepEqual([res.statusCode, res.json().error.code], [400, 'ERR_TOKEN_IN_URL']);
    assert.deepEqual(t.seen, []);
  });
});
