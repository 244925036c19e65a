import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, cookiePair, HTTPS } from './helpers.js';

describe('CSRF in the Fastify plugin', () => {
  it('CS-01 a route opted out with config.csrf=false accepts a cross-site post; its neighbours do not', async () => {
    const { app } = await buildTestApp({}, undefined, (a) => {
      a.post('/webhook', { config: { csrf: false } }, async (req) => {
        req.session.set('hooked', true);
        return { ok: true };
      });
    });
    const cookie = cookiePair((await app.inject({ method: 'POST', url: '/login', headers: HTTPS })).headers);
    const crossSite = { 'x-forwarded-proto': 'https', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', cookie };
    assert.equal((await app.inject({ method: 'POST', url: '/webhook', headers: crossSite })).statusCode, 200);
    const refused = await app.inject({ method: 'POST', url: '/cart', headers: crossSite });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, 'ERR_SESSION_CSRF');
  });

  it('CS-01 a refused request never reaches body parsing or the handler', async () => {
    let ran = 0;
    const { app } = await buildTestApp({}, undefined, (a) => {
      a.post('/count', async () => ({ ran: ++ran }));
    });
    const cookie = cookiePair((await app.inject({ method: 'POST', url: '/login', headers: HTTPS })).headers);
    const res = await app.inject({
      method: 'POST',
      url: '/count',
      headers: { 'x-forwarded-proto': 'https', origin: 'null', cookie, 'content-type': 'application/json' },
      payload: '{not json',
    });
    assert.equal(res.statusCode, 403);
    assert.equal(ran, 0);
  });
});
