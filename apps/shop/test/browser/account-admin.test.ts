import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, logIn, openPage, PASSWORD, registerAndLogIn, registerUser, screenshot, startShop, TEST_TIMEOUT_MS } from './browser-helpers.js';

describe('browser: password change with step-up, and admin view-as', { timeout: TEST_TIMEOUT_MS }, () => {
  it('LC-14 after the freshness window the page asks for the current password, then changes it', async () => {
    const shop = await startShop();
    const browser = await launchBrowser();
    const page = await openPage(browser, shop.url);
    await registerAndLogIn(page, 'alice');
    shop.advance(10 * 60_000);
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByTestId('profile-username').getByText('alice').waitFor();
    await page.getByLabel('New password').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('confirm your current password first').waitFor();
    await page.getByLabel('Current password').fill(PASSWORD);
    await screenshot(page, 'password-step-up');
    await page.getByRole('button', { name: 'Confirm and change password' }).click();
    await page.getByText('Password changed.').waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByTestId('who').getByText('Browsing anonymously').waitFor();
    const res = await fetch(`${shop.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'a brand new passphrase' }),
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(res.status, 200);
  });

  it('the first user (admin) views the shop as another user and leaves again', async () => {
    const shop = await startShop();
    const browser = await launchBrowser();
    for (const username of ['root', 'bob']) {
      await registerUser(shop, username);
    }
    const page = await openPage(browser, shop.url);
    await logIn(page, 'root');
    assert.match(await page.getByTestId('who').innerText(), /root \(admin\)/);
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('button', { name: 'View as bob' }).click();
    await page.getByRole('status').getByText('Viewing the shop as bob').waitFor();
    assert.match(await page.getByTestId('who').innerText(), /Signed in as bob/);
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByText('Not while viewing the shop as another user.').waitFor();
    await screenshot(page, 'admin-view-as');
    await page.getByRole('status').getByRole('button', { name: 'Leave view-as' }).click();
    await page.getByTestId('who').getByText('root').waitFor();
    assert.equal(await page.getByRole('status').filter({ hasText: 'Viewing the shop as' }).count(), 0);
  });
});
