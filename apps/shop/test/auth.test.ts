import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBrowser, createShop, loggedIn, PASSWORD, setCookies, ticketId } from './helpers.js';

const MIN = 60_000;

describe('accounts and login', () => {
  it('register, login, profile, logout: the happy path', async () => {
    const { app, clock } = await createShop();
    const browser = createBrowser(app);
    const register = await browser.post('/register', { username: 'alice', password: PASSWORD });
    assert.equal(register.statusCode, 201);
    const { id, username } = register.json();
    assert.equal(username, 'alice');
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(setCookies(register), [], 'registering does not create a session');

    const login = await browser.post('/login', { username: 'alice', password: PASSWORD });
    assert.equal(login.statusCode, 200);
    assert.deepEqual(login.json(), { user: { id, username: 'alice' } });
    assert.ok(browser.cookie, 'login sets the session cookie');

    const profile = await browser.get('/profile');
    assert.equal(profile.statusCode, 200);
    assert.deepEqual(profile.json(), {
      user: { id, username: 'alice' },
      session: { createdAt: clock.now(), expiresAt: clock.now() + 30 * MIN, persistent: false },
    });

    const logout = await browser.post('/logout');
    assert.equal(logout.statusCode, 200);
    assert.deepEqual(logout.json(), { ok: true });
    assert.equal(browser.cookie, null, 'logout clears the cookie');
    const after = await browser.get('/profile');
    assert.equal(after.statusCode, 401);
    assert.equal(after.json().error.code, 'ERR_NOT_AUTHENTICATED');
  });

  it('a taken username is 409, whatever its case', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    assert.equal((await browser.post('/register', { username: 'Bob', password: PASSWORD })).statusCode, 201);
    for (const username of ['Bob', 'bob', 'BOB']) {
      const res = await browser.post('/register', { username, password: 'another password' });
      assert.equal(res.statusCode, 409, username);
      assert.equal(res.json().error.code, 'ERR_USERNAME_TAKEN');
    }
  });

  it('AB-05 wrong password and unknown user get the same 401, and nothing changes in the session', async () => {
    const { app } = await createShop();
    const browser = await loggedIn(app, 'carol');
    await browser.post('/logout');
    await browser.post('/cart/add', { item_id: 1 });
    const before = browser.cookie;
    const wrong = await browser.post('/login', { username: 'carol', password: 'not the password' });
    const unknown = await browser.post('/login', { username: 'nobody', password: 'not the password' });
    for (const res of [wrong, unknown]) {
      assert.equal(res.statusCode, 401);
      assert.deepEqual(res.json(), { error: { code: 'ERR_INVALID_CREDENTIALS', message: 'Wrong username or password.' } });
      assert.deepEqual(setCookies(res), []);
    }
    assert.equal(browser.cookie, before);
    assert.equal((await browser.get('/profile')).statusCode, 401);
  });

  it('LC-01 session fixation: login rotates the cookie and the planted pre-login cookie is dead', async () => {
    const { app, store, clock } = await createShop();
    await createBrowser(app).post('/register', { username: 'dave', password: PASSWORD });
    const victim = createBrowser(app);
    await victim.post('/cart/add', { item_id: 1 });
    const planted = victim.cookie;
    assert.ok(planted);
    const login = await victim.post('/login', { username: 'dave', password: PASSWORD });
    assert.equal(login.statusCode, 200);
    assert.ok(victim.cookie);
    assert.notEqual(victim.cookie, planted);

    const attacker = createBrowser(app);
    attacker.cookie = planted;
    assert.equal((await attacker.get('/profile')).statusCode, 401);
    assert.deepEqual((await attacker.get('/cart')).json(), { cart: [] });
    assert.equal(await store.get(ticketId(planted), clock.now()), null, 'no record left for the pre-login ticket');
  });

  it('LC-03 the anonymous cart is kept through login while the ticket rotates', async () => {
    const { app } = await createShop();
    await createBrowser(app).post('/register', { username: 'erin', password: PASSWORD });
    const browser = createBrowser(app);
    await browser.post('/cart/add', { item_id: 1, quantity: 2 });
    await browser.post('/cart/add', { item_id: 2 });
    const anonymous = browser.cookie;
    await browser.post('/login', { username: 'erin', password: PASSWORD });
    assert.notEqual(browser.cookie, anonymous);
    assert.deepEqual((await browser.get('/cart')).json(), {
      cart: [
        { item_id: 1, quantity: 2 },
        { item_id: 2, quantity: 1 },
      ],
    });
  });

  it("logging in as someone else on the same browser does not hand over the first user's cart", async () => {
    const { app } = await createShop();
    await createBrowser(app).post('/register', { username: 'mallory', password: PASSWORD });
    const browser = await loggedIn(app, 'frank');
    await browser.post('/cart/add', { item_id: 5 });
    const res = await browser.post('/login', { username: 'mallory', password: PASSWORD });
    assert.equal(res.statusCode, 200);
    assert.equal((await browser.get('/profile')).json().user.username, 'mallory');
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [] });
  });

  it('LC-05 logout ends the session on the server: a copied cookie is dead too', async () => {
    const { app } = await createShop();
    const first = await loggedIn(app, 'grace');
    const copy = createBrowser(app);
    copy.cookie = first.cookie;
    assert.equal((await copy.get('/profile')).statusCode, 200);
    await first.post('/logout');
    assert.equal((await copy.get('/profile')).statusCode, 401);
  });

  it('LC-11 remember-me: persistent cookie only when asked, lasting one day', async () => {
    const { app } = await createShop();
    const plain = await loggedIn(app, 'heidi');
    const login = await plain.post('/login', { username: 'heidi', password: PASSWORD });
    assert.doesNotMatch(setCookies(login).join('\n'), /max-age|expires/i, 'no remember: browser-session cookie');
    assert.equal((await plain.get('/profile')).json().session.persistent, false);

    const remembered = createBrowser(app);
    const res = await remembered.post('/login', { username: 'heidi', password: PASSWORD, remember: true });
    assert.match(setCookies(res).join('\n'), new RegExp(`Max-Age=${24 * 3600}`, 'i'));
    assert.equal((await remembered.get('/profile')).json().session.persistent, true);
  });

  it('LC-07 idle timeout: 30 minutes without a request ends the login', async () => {
    const { app, clock } = await createShop();
    const browser = await loggedIn(app, 'ivan');
    clock.advance(29 * MIN);
    assert.equal((await browser.get('/profile')).statusCode, 200, 'still alive just inside the idle timeout');
    clock.advance(29 * MIN);
    assert.equal((await browser.get('/profile')).statusCode, 200, 'the request above extended it');
    clock.advance(31 * MIN);
    assert.equal((await browser.get('/profile')).statusCode, 401);
  });

  it('LC-08 absolute timeout: 12 hours after login, even with constant activity', async () => {
    const { app, clock } = await createShop();
    const browser = await loggedIn(app, 'judy');
    for (let elapsed = 0; elapsed < 12 * 60; elapsed += 20) {
      assert.equal((await browser.get('/profile')).statusCode, 200, `alive at ${elapsed} min`);
      clock.advance(20 * MIN);
    }
    assert.equal((await browser.get('/profile')).statusCode, 401);
  });
});
