// getSession(request, manager): request.session with the manager's own data type.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { coatcheck, getSession } from '../src/index.js';
import { SECRET } from './helpers.js';

interface ShopData {
  basket: number[];
}

describe('getSession', () => {
  it('returns the request session, typed by the manager; a TypeError when the plugin did not run', async () => {
    const manager = createSessionManager<ShopData>({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets: [SECRET], production: false });
    const app = Fastify();
    after(() => app.close());
    // biome-ignore lint/nursery/noMisusedPromises: Fastify awaits async plugins; register() accepts them
    await app.register(async (scope) => {
      // biome-ignore lint/nursery/noMisusedPromises: Fastify awaits async plugins; register() accepts them
      await scope.register(coatcheck, { manager });
      scope.post('/basket', async (req) => {
        const session = getSession(req, manager);
        assert.equal(session, req.session);
        session.update('basket', (basket = []) => [...basket, 42]);
        return { basket: session.get('basket') };
      });
    });
    const outside = Fastify();
    after(() => outside.close());
    outside.get('/bare', async (req) => {
      try {
        getSession(req, manager);
        return { threw: false };
      } catch (error) {
        return { threw: error instanceof TypeError, message: (error as Error).message };
      }
    });
    const res = await app.inject({ method: 'POST', url: '/basket', headers: { 'x-forwarded-proto': 'https', 'sec-fetch-site': 'same-origin' } });
    assert.deepEqual(res.json(), { basket: [42] });
    const bare = (await outside.inject({ url: '/bare' })).json();
    assert.equal(bare.threw, true);
    assert.match(bare.message, /^getSession: no session on this request: register the @coatcheck\/fastify plugin at the root/);
  });
});
