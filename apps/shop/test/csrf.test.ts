import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBrowser, createShop, loggedIn, PASSWORD, ticketId } from './helpers.js';

// What a page on another site makes the browser send.
const CROSS_SITE = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' };

describe('cross-site requests against the shop', () => {
  it('CS-13 cross-site logout, revoke-others and device revocation are refused and change nothing', async () => {
    const { app } = await createShop();
    const laptop = await loggedIn(app, 'alice');
    const phone = await loggedIn(app, 'alice');
    const phoneId = ticketId(phone.cookie as string);
    for (const [method, url] of [
      ['POST', '/logout'],
      ['POST', '/sessions/revoke-others'],
      ['DELETE', `/sessions/${phoneId}`],
    ] as const) {
      const res = await laptop.request({ method, url, headers: CROSS_SITE, payload: '{}' });
      assert.equal(res.statusCode, 403, url);
      assert.equal(res.json().error.code, 'ERR_SESSION_CSRF', url);
    }
    assert.equal((await laptop.get('/profile')).statusCode, 200);
    assert.equal((await phone.get('/profile')).statusCode, 200);
  });

  it('CS-05 a cross-site login post is refused: the victim is not logged in as the attacker', async () => {
    const { app } = await createShop();
    await loggedIn(app, 'mallory');
    const victim = createBrowser(app);
    const res = await victim.request({
      method: 'POST',
      url: '/login',
      headers: CROSS_SITE,
      payload: JSON.stringify({ username: 'mallory', password: PASSWORD }),
    });
    assert.equal(res.statusCode, 403);
    assert.equal(victim.cookie, null);
  });

  it('CS-01 a cross-site cart add is refused; the same request from the shop page passes', async () => {
    const { app } = await createShop();
    const browser = await loggedIn(app, 'alice');
    const payload = JSON.stringify({ item_id: 1, quantity: 1 });
    assert.equal((await browser.request({ method: 'POST', url: '/cart/add', headers: CROSS_SITE, payload })).statusCode, 403);
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [] });
    assert.equal((await browser.request({ method: 'POST', url: '/cart/add', headers: { 'content-type': 'application/json' }, payload })).statusCode, 200);
  });

  it('CS-14 a script with a cookie jar (neither Origin nor Sec-Fetch-Site) adds to the cart: the shop runs the standard mode', async () => {
    const { app } = await createShop();
    const browser = await loggedIn(app, 'alice');
    // What httpx or requests send: the cookie, a JSON body, no browser headers.
    const res = await app.inject({
      method: 'POST',
      url: '/cart/add',
      headers: { cookie: browser.cookie as string, 'content-type': 'application/json', 'user-agent': 'python-httpx/0.28' },
      payload: JSON.stringify({ item_id: 1, quantity: 1 }),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await browser.get('/cart')).json().cart.length, 1);
  });
});
