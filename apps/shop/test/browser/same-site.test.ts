// SameSite=Lax as a real browser applies it. The victim uses the shop at http://localhost:<port>;
// the other site is a page served from http://127.0.0.1:<port>. Cookies ignore ports, and a site
// is a scheme plus a registrable domain (for an IP address, the address itself), so the two are
// different sites: the tests check that chromium agrees, from the `Sec-Fetch-Site: cross-site`
// it sends, before trusting what it did with the cookie. Both names are loopback and need no
// DNS: chromium resolves `localhost` by itself.
//
// What the browser sent is read from Playwright's `allHeaders()`, which reports the headers the
// network stack put on the wire, Cookie included; what it changed, from the shop's own API.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Page } from 'playwright-core';
import { launchBrowser, logIn, openPage, registerUser, screenshot, startShop, TEST_TIMEOUT_MS, type RunningShop } from './browser-helpers.js';

/** Serves `html` for every path from 127.0.0.1 (closed after the file); returns its origin. */
async function serveOtherSite(html: string): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

/** Logs `username` in through the page on the shop's localhost origin; returns the session cookie. */
async function victimLoggedIn(shop: RunningShop, username: string): Promise<{ page: Page; cookie: string }> {
  await registerUser(shop, username);
  const browser = await launchBrowser();
  const page = await openPage(browser, shop.url);
  await logIn(page, username);
  const cookies = await page.context().cookies(shop.url);
  assert.equal(cookies.length, 1);
  const [cookie] = cookies;
  assert.ok(cookie);
  assert.equal(cookie.name, 'sid');
  assert.equal(cookie.domain, 'localhost');
  // Explicitly Lax. Without the attribute chromium defaults to Lax but still sends a cookie
  // younger than two minutes on a cross-site POST ("Lax+POST"): this one is seconds old, so
  // the first test would fail if the attribute were ever dropped.
  assert.equal(cookie.sameSite, 'Lax');
  return { page, cookie: `${cookie.name}=${cookie.value}` };
}

/** What the shop's API says about the session in this browser context (its cookie jar). */
async function readState(page: Page, shop: RunningShop): Promise<{ user: unknown; cart: unknown }> {
  const request = page.context().request;
  const profile = await request.get(`${shop.url}/profile`);
  assert.equal(profile.status(), 200);
  const cart = await request.get(`${shop.url}/cart`);
  assert.equal(cart.status(), 200);
  return { user: ((await profile.json()) as { user: unknown }).user, cart: ((await cart.json()) as { cart: unknown }).cart };
}

describe('browser: the session cookie against another site (SameSite=Lax)', { timeout: TEST_TIMEOUT_MS }, () => {
  it('CS-12 a form another site auto-submits arrives without the session cookie, is refused, and changes nothing', async () => {
    const shop = await startShop({ hostname: 'localhost' });
    const { page, cookie } = await victimLoggedIn(shop, 'alice');
    await page.getByRole('button', { name: 'Add Apple to cart' }).click();
    await page.getByTestId('cart-lines').getByText('1 × Apple').waitFor();
    const before = await readState(page, shop);

    // The classic JSON smuggle: a text/plain form whose one field spells a JSON body
    // (`{"item_id":5,"quantity":9,"pad":"="}`), sent as the page loads.
    const evil = await serveOtherSite(`<!doctype html><title>You won!</title>
<form method="post" action="${shop.url}/cart/add" enctype="text/plain">
<input type="hidden" name='{"item_id":5,"quantity":9,"pad":"' value='"}'>
</form>
<script>document.forms[0].submit()</script>`);
    const posted = page.waitForRequest((r) => r.url() === `${shop.url}/cart/add` && r.method() === 'POST');
    await page.goto(evil, { waitUntil: 'commit' });
    const request = await posted;
    const sent = await request.allHeaders();
    assert.equal(sent['sec-fetch-site'], 'cross-site', 'chromium treats 127.0.0.1 and localhost as two sites');
    assert.equal(sent.origin, evil);
    assert.equal(sent['content-type'], 'text/plain');
    assert.equal(sent.cookie, undefined, 'SameSite=Lax kept the session cookie off the cross-site POST');

    // It reached the shop, and the CSRF check (from Sec-Fetch-Site) refused it as well.
    const response = await request.response();
    assert.ok(response);
    assert.equal(response.status(), 403);
    const body = (await response.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'ERR_SESSION_CSRF');
    assert.equal(await response.headerValue('set-cookie'), null, 'the refusal sets and clears no cookie');
    await screenshot(page, 'same-site-refused-post');

    // The victim's session is as it was: same ticket, same user, same cart.
    const cookies = await page.context().cookies(shop.url);
    assert.deepEqual(
      cookies.map((c) => `${c.name}=${c.value}`),
      [cookie],
    );
    assert.deepEqual(await readState(page, shop), before);
    assert.deepEqual(before.cart, [{ item_id: 1, quantity: 1 }]);
  });

  it('CS-12 a link on another site arrives with the session cookie (top-level GET): the user lands logged in', async () => {
    const shop = await startShop({ hostname: 'localhost' });
    const { page, cookie } = await victimLoggedIn(shop, 'bob');
    // /profile answers from the session of the very request that asks, so its body tells
    // what the server made of the cookie that navigation carried.
    const evil = await serveOtherSite(`<!doctype html><title>Deals</title>
<a href="${shop.url}/profile">See your profile</a>`);
    await page.goto(evil);
    const navigated = page.waitForRequest((r) => r.url() === `${shop.url}/profile` && r.isNavigationRequest());
    await page.getByRole('link', { name: 'See your profile' }).click();
    const request = await navigated;
    const sent = await request.allHeaders();
    assert.equal(sent['sec-fetch-site'], 'cross-site', 'chromium treats 127.0.0.1 and localhost as two sites');
    assert.equal(sent['sec-fetch-mode'], 'navigate');
    assert.equal(sent.cookie, cookie, 'Lax lets the cookie ride a top-level navigation');

    const response = await request.response();
    assert.ok(response);
    assert.equal(response.status(), 200);
    const body = (await response.json()) as { user: { username: string } };
    assert.equal(body.user.username, 'bob');
    assert.equal(page.url(), `${shop.url}/profile`);
  });
});
