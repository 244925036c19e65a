import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REAUTH_WINDOW_MS } from '../src/routes/account.js';
import { createBrowser, createShop, loggedIn, PASSWORD, ticketId } from './helpers.js';

const NEW_PASSWORD = 'a much better passphrase';
const MINUTE = 60_000;

describe('account: step-up and password change', () => {
  it('GET /account: anonymous is {user: null}; logged in shows role and freshness', async () => {
    const { app, clock } = await createShop();
    const visitor = createBrowser(app);
    const anonymous = await visitor.get('/account');
    assert.equal(anonymous.statusCode, 200);
    assert.deepEqual(anonymous.json(), { user: null });
    assert.equal(visitor.cookie, null, 'asking creates no session');
    const browser = await loggedIn(app, 'alice');
    const body = (await browser.get('/account')).json();
    assert.equal(body.user.username, 'alice');
    assert.equal(body.role, 'admin', 'the first registered user');
    assert.equal(body.viewAs, null);
    assert.equal(body.session.authenticatedAt, clock.now());
    assert.equal(body.session.freshUntil, clock.now() + REAUTH_WINDOW_MS);
  });

  it('LC-14 right after login the password can be changed; it then works for login, the old one does not', async () => {
    const { app } = await createShop();
    const browser = await loggedIn(app, 'bob');
    const res = await browser.post('/password', { new_password: NEW_PASSWORD });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { revoked: 0 });
    assert.equal((await createBrowser(app).post('/login', { username: 'bob', password: PASSWORD })).statusCode, 401);
    assert.equal((await createBrowser(app).post('/login', { username: 'bob', password: NEW_PASSWORD })).statusCode, 200);
  });

  it('LC-14 a login older than the window needs step-up: 403 ERR_SESSION_STEP_UP_REQUIRED, then /reauth, then it works', async () => {
    const { app, clock } = await createShop();
    const browser = await loggedIn(app, 'carol');
    clock.advance(REAUTH_WINDOW_MS + MINUTE);
    const refused = await browser.post('/password', { new_password: NEW_PASSWORD });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, 'ERR_SESSION_STEP_UP_REQUIRED');
    assert.equal((await createBrowser(app).post('/login', { username: 'carol', password: PASSWORD })).statusCode, 200, 'unchanged');

    const wrong = await browser.post('/reauth', { password: 'not my password' });
    assert.equal(wrong.statusCode, 403);
    assert.equal(wrong.json().error.code, 'ERR_WRONG_PASSWORD');
    assert.equal((await browser.get('/profile')).statusCode, 200, 'a failed step-up is not a logout');
    assert.equal((await browser.post('/password', { new_password: NEW_PASSWORD })).statusCode, 403);

    const before = browser.cookie as string;
    const stepUp = await browser.post('/reauth', { password: PASSWORD });
    assert.equal(stepUp.statusCode, 200);
    assert.deepEqual(stepUp.json(), { authenticatedAt: clock.now(), freshUntil: clock.now() + REAUTH_WINDOW_MS });
    assert.notEqual(ticketId(browser.cookie as string), ticketId(before), 'LC-04 step-up rotates the ticket');
    const stale = createBrowser(app);
    stale.cookie = before;
    assert.equal((await stale.get('/profile')).statusCode, 401, 'the pre-step-up ticket is dead');

    assert.equal((await browser.post('/password', { new_password: NEW_PASSWORD })).statusCode, 200);
  });

  it('LC-14 a remembered session from last week is logged in but not fresh', async () => {
    // Remember-me for 30 days (REMEMBER_ME_LIFETIME=30d), so a week-old login is still alive.
    const { app, clock } = await createShop({ app: { lifetimes: { rememberMe: 30 * 86400 } } });
    await createBrowser(app).post('/register', { username: 'dave', password: PASSWORD });
    const browser = createBrowser(app);
    await browser.post('/login', { username: 'dave', password: PASSWORD, remember: true });
    for (let day = 0; day < 7; day++) {
      clock.advance(86_400_000);
      assert.equal((await browser.get('/profile')).statusCode, 200);
    }
    const res = await browser.post('/password', { new_password: NEW_PASSWORD });
    assert.equal(res.json().error.code, 'ERR_SESSION_STEP_UP_REQUIRED');
    await browser.post('/reauth', { password: PASSWORD });
    assert.equal((await browser.get('/account')).json().session.persistent, true, 'step-up keeps remember-me');
    assert.equal((await browser.post('/password', { new_password: NEW_PASSWORD })).statusCode, 200);
  });

  it('LC-15 a password change ends every other session of the user and rotates this one', async () => {
    const { app } = await createShop();
    const laptop = await loggedIn(app, 'erin');
    const phone = await loggedIn(app, 'erin');
    const tablet = await loggedIn(app, 'erin');
    const stranger = await loggedIn(app, 'frank');
    await laptop.post('/cart/add', { item_id: 1 });
    const before = laptop.cookie as string;
    const res = await laptop.post('/password', { new_password: NEW_PASSWORD });
    assert.deepEqual(res.json(), { revoked: 2 });
    assert.equal((await phone.get('/profile')).statusCode, 401);
    assert.equal((await tablet.get('/profile')).statusCode, 401);
    assert.equal((await stranger.get('/profile')).statusCode, 200);
    assert.notEqual(ticketId(laptop.cookie as string), ticketId(before));
    assert.equal((await laptop.get('/profile')).statusCode, 200);
    assert.deepEqual((await laptop.get('/cart')).json(), { cart: [{ item_id: 1, quantity: 1 }] }, 'data kept');
    const sessions = (await laptop.get('/sessions')).json().sessions;
    assert.equal(sessions.length, 1);
  });

  it('anonymous visitors get 401 from /reauth and /password', async () => {
    const { app } = await createShop();
    const browser = createBrowser(app);
    assert.equal((await browser.post('/reauth', { password: PASSWORD })).statusCode, 401);
    assert.equal((await browser.post('/password', { new_password: NEW_PASSWORD })).statusCode, 401);
  });
});
