// The Fetch-API helper without Hono: a Request in, a Response with Set-Cookie out.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager } from 'coatcheck';
import type { SessionStore } from 'coatcheck/store-kit';
import { memoryStore } from 'coatcheck/memory';
import { sqliteStore } from '@coatcheck/sqlite';
import { SECRET } from '@coatcheck/adapter-suite';
import { withSession } from '../src/fetch.js';

function manager(store: SessionStore = memoryStore({ sweepIntervalMs: 0, quiet: true }), mode: 'standard' | 'strict' = 'standard') {
  return createSessionManager({ store, secrets: [SECRET], production: false, csrf: { mode } });
}

const add = (item: string) => async (session: { update(key: string, fn: (c: unknown) => unknown): void }) => {
  session.update('cart', (cart) => [...((cart as string[] | undefined) ?? []), item]);
  return Response.json({ ok: true });
};

describe('withSession (Fetch API)', () => {
  it('creates the session and returns its cookie; the next request reads it', async () => {
    const sessions = manager();
    const first = await withSession(
      sessions,
      new Request('https://shop.test/cart', { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } }),
      add('apple'),
    );
    const [cookie] = first.headers.getSetCookie();
    assert.match(cookie ?? '', /^__Host-sid=.*; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const pair = (cookie as string).split(';')[0] as string;
    const read = await withSession(sessions, new Request('https://shop.test/me', { headers: { cookie: pair } }), async (session) =>
      Response.json(session.get('cart')),
    );
    assert.deepEqual(await read.json(), ['apple']);
    assert.deepEqual(read.headers.getSetCookie(), []);
  });

  it('adds cookies to a response whose headers are immutable (Response.redirect)', async () => {
    const sessions = manager();
    const res = await withSession(
      sessions,
      new Request('https://shop.test/login', { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } }),
      async (session) => {
        await session.login('alice');
        return Response.redirect('https://shop.test/', 303);
      },
    );
    assert.equal(res.status, 303);
    assert.equal(res.headers.getSetCookie().length, 1);
  });

  it('CS-01 CS-15 refuses a cross-site post with 403 and, in strict mode, reads a form token from a clone of the body', async () => {
    const sessions = manager(undefined, 'strict');
    const login = await withSession(
      sessions,
      new Request('https://shop.test/login', { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } }),
      async (s) => (await s.login('alice'), new Response('ok')),
    );
    const cookie = (login.headers.getSetCookie()[0] as string).split(';')[0] as string;
    const refused = await withSession(
      sessions,
      new Request('https://shop.test/cart', { method: 'POST', headers: { cookie, origin: 'https://evil.example' } }),
      add('x'),
    );
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'ERR_SESSION_CSRF');
    const token = await (
      await withSession(sessions, new Request('https://shop.test/csrf', { headers: { cookie } }), async (s) => new Response(await s.csrfToken()))
    ).text();
    const untokened = new Request('https://shop.test/cart', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'item=fig',
    });
    assert.equal((await withSession(sessions, untokened, add('fig'))).status, 403);
    const form = new Request('https://shop.test/cart', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `item=pear&_csrf=${token}`,
    });
    const accepted = await withSession(sessions, form, async (session) => {
      const body = await form.formData();
      return add(String(body.get('item')))(session);
    });
    assert.equal(accepted.status, 200);
  });

  it('SF-06 a store outage answers 503 with the code and no cookie', async () => {
    const store = sqliteStore({ filename: ':memory:', pruneIntervalMs: 0 });
    await store.close();
    const res = await withSession(
      manager(store),
      new Request('https://shop.test/cart', { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } }),
      add('x'),
    );
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
    assert.deepEqual(res.headers.getSetCookie(), []);
  });
});
