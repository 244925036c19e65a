// Typed session data over HTTP: a value the schema refuses is the application's bug, answered
// 500 ERR_SESSION_DATA_INVALID with the generic message (the schema's issues stay in the log),
// no Set-Cookie, and the session as it was.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { buildTestApp, cookiePair, HTTPS, setCookies } from './helpers.js';

const GENERIC = { error: { code: 'ERR_SESSION_DATA_INVALID', message: 'Something went wrong on our side.' } };

describe('typed session data over HTTP', () => {
  for (const [when, cart] of [
    ['at set() (a synchronous validator)', z.array(z.string())],
    ['at the commit (an async validator)', z.array(z.string()).refine(async (items) => items.every((item) => typeof item === 'string'))],
  ] as const) {
    it(`a refused write ${when} answers 500 with a generic message and changes nothing`, async () => {
      const { app, store, clock } = await buildTestApp({ data: { schema: { cart: cart as z.ZodType<string[]> } } });
      after(() => app.close());
      const cookie = cookiePair((await app.inject({ method: 'POST', url: '/cart', headers: HTTPS, payload: { item: 'apple' } })).headers);
      const id = cookie.split('=')[1]?.slice(0, 24) as string;
      const before = await store.get(id, clock.now());

      const refused = await app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie }, payload: { item: 42 } });
      assert.equal(refused.statusCode, 500);
      assert.deepEqual(refused.json(), GENERIC);
      assert.deepEqual(setCookies(refused.headers), []);
      assert.doesNotMatch(refused.body, /cart|string|number/);

      const stored = await store.get(id, clock.now());
      assert.deepEqual(stored?.data, { cart: ['apple'] });
      assert.equal(stored?.version, before?.version);
      const me = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } });
      assert.deepEqual(me.json().cart, ['apple']);
    });
  }
});
