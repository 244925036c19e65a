// `config: { session: false }`: a route that reads no session gets no store lookup, no CSRF
// check and no Set-Cookie, while the other routes of the same app keep all three.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { coatcheck } from '../src/index.js';
import { countingStore, SECRET } from './helpers.js';

async function app() {
  const store = countingStore(memoryStore({ sweepIntervalMs: 0, quiet: true }));
  const manager = createSessionManager({ store, secrets: [SECRET], production: false });
  const fastify = Fastify();
  // biome-ignore lint/nursery/noMisusedPromises: Fastify awaits async plugins; register() accepts them
  await fastify.register(coatcheck, { manager });
  fastify.post('/cart', async (req) => {
    req.session.set('cart', ['apple']);
    return { ok: true };
  });
  fastify.post('/hook', { config: { session: false } }, async (req) => ({ session: req.session ?? null }));
  await fastify.ready();
  return { fastify, store };
}

describe('routes that read no session', () => {
  it('read no cookie, check no CSRF, commit nothing; other routes are unchanged', async () => {
    const { fastify, store } = await app();
    const cart = await fastify.inject({ method: 'POST', url: '/cart' });
    const cookie = String(cart.headers['set-cookie']).split(';')[0] as string;
    const gets = store.counts.get;
    const crossSite = { cookie, origin: 'https://evil.example' };
    const res = await fastify.inject({ method: 'POST', url: '/hook', headers: crossSite });
    assert.deepEqual([res.statusCode, res.json()], [200, { session: null }]);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.equal(store.counts.get, gets, 'the store was not asked');
    const refused = await fastify.inject({ method: 'POST', url: '/cart', headers: crossSite });
    assert.deepEqual([refused.statusCode, refused.json().error.code], [403, 'ERR_SESSION_CSRF'], 'the CSRF check still guards session routes');
  });
});
