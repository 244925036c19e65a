// GET /csrf-token: how a script with a cookie jar (no Origin, no Sec-Fetch-Site) gets the token
// its unsafe requests must carry once it holds a session cookie.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createBrowser, createShop, PASSWORD, setCookies } from './helpers.js';

/** A script's cookie jar: no Origin, no Sec-Fetch-Site, the cookie sent back. */
function script(app: FastifyInstance) {
  const jar = {
    cookie: null as string | null,
    async send(method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
      const res = await app.inject({ method, url, headers: { ...headers, ...(jar.cookie ? { cookie: jar.cookie } : {}) }, ...(payload ? { payload } : {}) });
      for (const line of setCookies(res)) jar.cookie = line.split(';')[0] ?? null;
      return res;
    },
    async csrfToken(): Promise<string | null> {
      const res = await jar.send('GET', '/csrf-token');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'no-store');
      return res.json().csrf_token;
    },
  };
  return jar;
}

describe('GET /csrf-token', () => {
  it('AB-01 without a session it answers null and creates none (no cookie, nothing stored)', async () => {
    const { app, db } = await createShop();
    const res = await app.inject({ method: 'GET', url: '/csrf-token' });
    assert.deepEqual(res.json(), { csrf_token: null });
    assert.equal(res.headers['set-cookie'], undefined);
    assert.equal(db.prepare<{ n: number }>('SELECT count(*) AS n FROM coatcheck_sessions').get()?.n, 0);
  });

  it('CS-04 with CSRF_MODE=strict a cookie-jar script: the 403 says what to send; the fetched token passes; login needs a fresh one', async () => {
    const { app } = await createShop({ app: { csrfMode: 'strict' } });
    await createBrowser(app).post('/register', { username: 'cronjob', password: PASSWORD });
    const jar = script(app);
    assert.equal((await jar.send('POST', '/cart/add', { item_id: 1 })).statusCode, 200, 'no cookie yet: nothing to forge');
    assert.ok(jar.cookie);
    const refused = await jar.send('POST', '/cart/add', { item_id: 2 });
    assert.deepEqual([refused.statusCode, refused.json().error.code], [403, 'ERR_SESSION_CSRF']);
    assert.match(refused.json().error.message, /x-csrf-token header.*read the token from a page or route of the app/);
    const before = await jar.csrfToken();
    assert.equal(typeof before, 'string');
    assert.equal((await jar.send('POST', '/cart/add', { item_id: 2 }, { 'x-csrf-token': before as string })).statusCode, 200);
    const login = await jar.send('POST', '/login', { username: 'cronjob', password: PASSWORD }, { 'x-csrf-token': before as string });
    assert.equal(login.statusCode, 200);
    assert.equal(
      (await jar.send('POST', '/logout', undefined, { 'x-csrf-token': before as string })).statusCode,
      403,
      'the pre-login token died with the ticket',
    );
    const after = await jar.csrfToken();
    assert.notEqual(after, before);
    assert.equal((await jar.send('POST', '/logout', undefined, { 'x-csrf-token': after as string })).statusCode, 200);
  });

  it('a bearer client gets null: its requests are not CSRF-checked, and no cookie session is made for it', async () => {
    const { app } = await createShop();
    const { access_token } = (await app.inject({ method: 'POST', url: '/anonymous-login' })).json();
    const res = await app.inject({ method: 'GET', url: '/csrf-token', headers: { authorization: `Bearer ${access_token}` } });
    assert.deepEqual(res.json(), { csrf_token: null });
    assert.equal(res.headers['set-cookie'], undefined);
  });
});
