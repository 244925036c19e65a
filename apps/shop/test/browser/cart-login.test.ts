import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newDevicePage, registerAndLogIn, screenshot, startShop, TEST_TIMEOUT_MS } from './browser-helpers.js';

describe('browser: anonymous cart, then login', { timeout: TEST_TIMEOUT_MS }, () => {
  it('LC-03 the cart filled anonymously is still there after registering and logging in', async () => {
    const shop = await startShop();
    const browser = await launchBrowser();
    const page = await newDevicePage(browser);
    // The page runs under a strict CSP; anything it blocks would show up here.
    const errors: string[] = [];
    page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
    page.on('pageerror', (error) => void errors.push(error.message));
    await page.goto(shop.url);
    await page.getByTestId('who').getByText('Browsing anonymously').waitFor();

    await page.getByRole('button', { name: 'Add Apple to cart' }).click();
    await page.getByTestId('cart-lines').getByText('1 × Apple').waitFor();
    await page.getByRole('button', { name: 'Add Apple to cart' }).click();
    await page.getByRole('button', { name: 'Add Coffee beans to cart' }).click();
    await page.getByTestId('cart-lines').getByText('2 × Apple').waitFor();
    await page.getByTestId('cart-lines').getByText('1 × Coffee beans').waitFor();
    await screenshot(page, 'cart-anonymous');
    const cookiesBefore = await page.context().cookies();
    assert.equal(cookiesBefore.length, 1);
    assert.equal(cookiesBefore[0]?.name, 'sid', 'plain-HTTP development cookie name');
    assert.equal(cookiesBefore[0]?.httpOnly, true);

    await registerAndLogIn(page, 'alice');
    const lines = await page.getByTestId('cart-lines').locator('li').allInnerTexts();
    assert.deepEqual(
      lines.map((line) => line.replace(/\s+/g, ' ').trim()),
      ['2 × Apple €1.20', '1 × Coffee beans €12.90'],
    );
    const cookiesAfter = await page.context().cookies();
    assert.notEqual(cookiesAfter[0]?.value, cookiesBefore[0]?.value, 'login issued a new ticket');
    await screenshot(page, 'cart-after-login');

    // A reload reads everything back from the server.
    await page.reload();
    await page.getByTestId('who').getByText('alice').waitFor();
    await page.getByTestId('cart-lines').getByText('2 × Apple').waitFor();
    assert.deepEqual(errors, []);
  });
});
