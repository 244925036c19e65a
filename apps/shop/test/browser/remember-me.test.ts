import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchProfile, logIn, registerUser, screenshot, startShop, tempDir, TEST_TIMEOUT_MS } from './browser-helpers.js';

/** Opens the shop in a browser profile, runs `use`, and closes the browser (like quitting it). */
async function withBrowser<T>(profile: string, url: string, use: (page: import('playwright-core').Page) => Promise<T>): Promise<T> {
  const context = await launchProfile(profile);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    return await use(page);
  } finally {
    await context.close();
  }
}

describe('browser: remember me across a browser restart', { timeout: TEST_TIMEOUT_MS }, () => {
  it('LC-11 a remembered login survives closing and reopening the browser; a browser-session login does not', async () => {
    const shop = await startShop();
    const profiles = tempDir('coatcheck-profiles-');
    // Accounts made over the API, so both browsers start from a plain login.
    for (const username of ['remembered', 'forgetful']) {
      await registerUser(shop, username);
    }

    const remembered = join(profiles, 'remembered');
    const session = join(profiles, 'session-only');
    const rememberedCookie = await withBrowser(remembered, shop.url, async (page) => {
      await logIn(page, 'remembered', { remember: true });
      const [cookie] = await page.context().cookies();
      return cookie;
    });
    assert.ok(rememberedCookie && rememberedCookie.expires > Date.now() / 1000 + 23 * 3600, 'a persistent cookie, about one day');
    const sessionCookie = await withBrowser(session, shop.url, async (page) => {
      await logIn(page, 'forgetful');
      const [cookie] = await page.context().cookies();
      return cookie;
    });
    assert.equal(sessionCookie?.expires, -1, 'a browser-session cookie has no expiry');

    // Reopen both browsers on their profiles.
    await withBrowser(remembered, shop.url, async (page) => {
      await page.getByTestId('who').getByText('Signed in as').waitFor();
      assert.match(await page.getByTestId('who').innerText(), /Signed in as remembered/);
      await page.getByRole('link', { name: 'Account' }).click();
      await page.getByText('Remembered on this device').waitFor();
      await screenshot(page, 'remember-me-after-restart');
    });
    await withBrowser(session, shop.url, async (page) => {
      await page.getByTestId('who').getByText('Browsing anonymously').waitFor();
      assert.deepEqual(await page.context().cookies(), [], 'the session cookie went with the browser');
    });
  });
});
