import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newDevicePage, PASSWORD, registerUser, screenshot, startShop, TEST_TIMEOUT_MS } from './browser-helpers.js';

describe('browser: the bearer (SPA) tab', { timeout: TEST_TIMEOUT_MS }, () => {
  it('anonymous tokens, a cart kept through token login, refresh, revoke, all without cookies', async () => {
    const shop = await startShop();
    await registerUser(shop, 'tina');
    const browser = await launchBrowser();
    const page = await newDevicePage(browser);
    const errors: string[] = [];
    page.on('pageerror', (error) => void errors.push(error.message));
    // Every API request of the tab: its URL, and the bearer token and cookie it carried.
    const sent: Array<{ url: string; token: string | null; cookie: string | null }> = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (!['/anonymous-login', '/token', '/token/refresh', '/token/revoke', '/user/me', '/anonymous-data', '/cart', '/cart/add'].includes(path)) return;
      const headers = request.headers();
      sent.push({ url: request.url(), token: headers.authorization?.replace(/^Bearer /, '') ?? null, cookie: headers.cookie ?? null });
    });
    await page.goto(`${shop.url}/#/bearer`);
    await page.getByTestId('who').getByText('Browsing anonymously').waitFor();

    await page.getByRole('button', { name: 'Start anonymous session' }).click();
    await page
      .getByTestId('bearer-me')
      .getByText(/^anonymous_/)
      .waitFor();
    await page.getByTestId('bearer-data').getByText('"cart_items":0').waitFor();

    await page.getByRole('button', { name: 'Add item with token' }).click();
    await page.getByTestId('bearer-cart').getByText('1 × Apple').waitFor();

    // The anonymous access token goes along, so the server upgrades that session with its cart.
    await page.getByLabel('Token username').fill('tina');
    await page.getByLabel('Token password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in with token' }).click();
    await page.getByTestId('bearer-data').getByText('Welcome, registered user tina!').waitFor();
    assert.doesNotMatch(await page.getByTestId('bearer-me').innerText(), /anonymous_/, '/user/me names the user now');
    assert.match(await page.getByTestId('bearer-me').innerText(), /\S/);
    assert.deepEqual(await page.getByTestId('bearer-cart').locator('li').allInnerTexts(), ['1 × Apple'], 'the cart survived the token login');
    // The cookie session in the header was not involved.
    assert.equal(await page.getByTestId('who').innerText(), 'Browsing anonymously');

    const before = await page.getByTestId('bearer-token').innerText();
    await page.getByRole('button', { name: 'Refresh now' }).click();
    const refreshed = await page.getByTestId('bearer-refreshed').innerText();
    assert.doesNotMatch(refreshed, /unchanged/);
    const after = await page.getByTestId('bearer-token').innerText();
    assert.notEqual(after, before, 'refreshing issued a new access token');
    assert.equal(refreshed, `${before} → ${after}`);
    await screenshot(page, 'bearer-spa-logged-in');

    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByTestId('bearer-ended').getByText('ERR_TOKEN_SESSION_ENDED').waitFor();
    await page
      .getByTestId('bearer-me')
      .getByText(/^refused:/)
      .waitFor();
    await screenshot(page, 'bearer-spa-revoked');

    // Tokens in headers and bodies only, never in a URL, and no cookie ever issued or sent.
    const tokens = sent.flatMap(({ token }) => (token === null ? [] : [token]));
    assert.ok(tokens.length >= 5, `the tab sent bearer requests (${tokens.length})`);
    for (const { url } of sent) for (const token of tokens) assert.ok(!url.includes(token), `no token in ${url}`);
    assert.deepEqual(
      sent.filter(({ cookie }) => cookie !== null),
      [],
    );
    assert.deepEqual(await page.context().cookies(), []);
    const stored = await page.evaluate(() => {
      // Runs in the page; the tests' tsconfig has no DOM types.
      const { localStorage, sessionStorage } = globalThis as unknown as Record<'localStorage' | 'sessionStorage', { length: number }>;
      return [localStorage.length, sessionStorage.length];
    });
    assert.deepEqual(stored, [0, 0], 'tokens live in memory only');
    assert.deepEqual(errors, []);
  });
});
