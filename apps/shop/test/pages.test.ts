// The plain-HTML login flow of the Flask tutorial (remember me for a day): GET /login, a
// form post answered with 303 to /dashboard, the greeting, logout by form back to /login.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { escapeHtml } from '../src/http/pages.js';
import { createBrowser, createShop, PASSWORD, setCookies, type Browser } from './helpers.js';

// What a browser sends when it submits a form it was shown.
const HTML_FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

function submit(browser: Browser, url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return browser.request({ method: 'POST', url, headers: { ...HTML_FORM, ...headers }, payload: new URLSearchParams(fields).toString() });
}

/** The hidden `_csrf` value of a page, or `null`. */
function csrfOf(html: string): string | null {
  return /<input type="hidden" name="_csrf" value="([^"]*)">/.exec(html)?.[1] ?? null;
}

async function registered(username: string, csrfMode: 'standard' | 'strict' = 'standard') {
  const shop = await createShop({ app: { csrfMode } });
  assert.equal((await createBrowser(shop.app).post('/register', { username, password: PASSWORD })).statusCode, 201);
  return shop;
}

describe('the login pages', () => {
  it('GET /login is a form posting username, password and remember to /login, never cached', async () => {
    const { app } = await createShop();
    const res = await app.inject({ url: '/login' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body, /<form method="post" action="\/login">/);
    for (const field of ['name="username"', 'type="password" name="password"', 'type="checkbox" name="remember"']) assert.ok(res.body.includes(field), field);
    assert.equal(csrfOf(res.body), null, 'no session, so no token: rendering the form creates no session');
    assert.deepEqual(setCookies(res), []);
  });

  it('a form login redirects 303 to /dashboard, which greets the user; logout by form redirects to /login', async () => {
    const { app } = await registered('wendy');
    const browser = createBrowser(app);
    const login = await submit(browser, '/login', { username: 'wendy', password: PASSWORD });
    assert.equal(login.statusCode, 303);
    assert.equal(login.headers.location, '/dashboard');
    assert.ok(browser.cookie, 'logged in');
    const dashboard = await browser.get('/dashboard');
    assert.equal(dashboard.statusCode, 200);
    assert.match(dashboard.body, /Hello, wendy! You are logged in\./);
    const token = csrfOf(dashboard.body);
    assert.ok(token, 'the logout form carries the CSRF token');
    const logout = await submit(browser, '/logout', { _csrf: token });
    assert.equal(logout.statusCode, 303);
    assert.equal(logout.headers.location, '/login');
    const after = await browser.get('/dashboard');
    assert.equal(after.statusCode, 303);
    assert.equal(after.headers.location, '/login');
  });

  it('AB-05 a wrong password on the page is a 401 page with the form again, the same for an unknown user', async () => {
    const { app } = await registered('xena');
    for (const username of ['xena', 'nobody']) {
      const res = await submit(createBrowser(app), '/login', { username, password: 'wrong password' });
      assert.equal(res.statusCode, 401);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, /Wrong username or password\./);
      assert.match(res.body, /<form method="post" action="\/login">/);
      assert.deepEqual(setCookies(res), []);
    }
  });

  it('LC-11 the "remember me" checkbox gives a persistent cookie; without it the cookie ends with the browser', async () => {
    const { app } = await registered('yuri');
    const remembered = await submit(createBrowser(app), '/login', { username: 'yuri', password: PASSWORD, remember: 'on' });
    assert.match(setCookies(remembered).join('\n'), new RegExp(`Max-Age=${24 * 3600}`, 'i'), 'one day, as in the tutorial');
    const plain = await submit(createBrowser(app), '/login', { username: 'yuri', password: PASSWORD });
    assert.doesNotMatch(setCookies(plain).join('\n'), /max-age|expires/i);
  });

  it("CS-05 with CSRF_MODE=strict a page form post with a cookie and no Origin needs the page's _csrf field", async () => {
    const { app } = await registered('zoe', 'strict');
    const browser = createBrowser(app);
    // An anonymous cart first: the visitor has a session, so the login page carries a token.
    await submit(browser, '/cart/add', { item_id: '42' });
    const page = await browser.get('/login');
    const token = csrfOf(page.body);
    assert.ok(token);
    // A script or an old browser: neither Origin nor Sec-Fetch-Site.
    const bare = { 'sec-fetch-site': '' };
    const refused = await submit(browser, '/login', { username: 'zoe', password: PASSWORD }, bare);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, 'ERR_SESSION_CSRF');
    const forged = await submit(browser, '/login', { username: 'zoe', password: PASSWORD, _csrf: `${token}x` }, bare);
    assert.equal(forged.statusCode, 403);
    const ok = await submit(browser, '/login', { username: 'zoe', password: PASSWORD, _csrf: token }, bare);
    assert.equal(ok.statusCode, 303);
    assert.match((await browser.get('/dashboard')).body, /Hello, zoe!/);
    assert.deepEqual((await browser.get('/cart')).json(), { cart: [{ item_id: 42, quantity: 1 }] }, 'the cart came along');
  });

  it('/dashboard without a login redirects to /login; JSON clients of /login and /logout keep JSON answers', async () => {
    const { app } = await registered('abe');
    const anonymous = await app.inject({ url: '/dashboard' });
    assert.equal(anonymous.statusCode, 303);
    assert.equal(anonymous.headers.location, '/login');
    const browser = createBrowser(app);
    const login = await browser.request({ method: 'POST', url: '/login', headers: { accept: 'text/html' }, payload: { username: 'abe', password: PASSWORD } });
    assert.equal(login.statusCode, 200, 'a JSON body gets JSON whatever it accepts');
    assert.equal(login.json().user.username, 'abe');
    assert.deepEqual((await browser.post('/logout')).json(), { ok: true });
  });

  it('escapes what it prints into a page', () => {
    assert.equal(escapeHtml(`<script>alert("x")</script>&'`), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  });
});
