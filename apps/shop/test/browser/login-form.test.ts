// The Flask tutorial's login form in a real browser: the plain-HTML page at /login, posted as
// a form (no JavaScript), answered with a redirect to /dashboard; logout by form.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newDevicePage, PASSWORD, registerUser, screenshot, startShop, TEST_TIMEOUT_MS } from './browser-helpers.js';

describe('browser: the plain-HTML login form', { timeout: TEST_TIMEOUT_MS }, () => {
  it('LC-11 logs in by form with "remember me" for a day, greets the user on /dashboard, logs out by form', async () => {
    const shop = await startShop();
    await registerUser(shop, 'test_user');
    const browser = await launchBrowser();
    const page = await newDevicePage(browser);
    const errors: string[] = [];
    page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));

    await page.goto(`${shop.url}/login`);
    await page.getByLabel('Username').fill('test_user');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Remember me').check();
    await screenshot(page, 'login-form');
    const posted = page.waitForRequest((r) => r.url() === `${shop.url}/login` && r.method() === 'POST');
    await page.getByRole('button', { name: 'Login' }).click();
    const request = await posted;
    const sent = await request.allHeaders();
    assert.equal(sent['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(sent['sec-fetch-site'], 'same-origin');
    assert.match(sent.accept ?? '', /text\/html/);
    assert.equal((await request.response())?.status(), 303);

    await page.getByText('Hello, test_user! You are logged in.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/dashboard');
    const [cookie] = await page.context().cookies();
    assert.ok(cookie && cookie.expires > Date.now() / 1000 + 23 * 3600 && cookie.expires < Date.now() / 1000 + 25 * 3600, 'a persistent cookie for one day');
    await screenshot(page, 'login-form-dashboard');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.deepEqual(await page.context().cookies(), [], 'logout cleared the cookie');
    await page.goto(`${shop.url}/dashboard`);
    assert.equal(new URL(page.url()).pathname, '/login', 'the dashboard sends a logged-out visitor to the form');
    assert.deepEqual(errors, []);
  });

  it("AB-05 a wrong password shows the form again with the error; a shopper with a cart logs in with the form's token and keeps the cart", async () => {
    const shop = await startShop();
    await registerUser(shop, 'shopper');
    const browser = await launchBrowser();
    const page = await newDevicePage(browser);
    // The React page first: an anonymous cart, so the visitor has a session.
    await page.goto(shop.url);
    await page.getByRole('button', { name: 'Add Towel to cart' }).click();
    await page.getByTestId('cart-lines').getByText('1 × Towel').waitFor();

    await page.goto(`${shop.url}/login`);
    assert.ok(await page.locator('input[type="hidden"][name="_csrf"]').getAttribute('value'), "the form carries the session's token");
    await page.getByLabel('Username').fill('shopper');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Login' }).click();
    await page.getByRole('alert').getByText('Wrong username or password.').waitFor();
    await screenshot(page, 'login-form-wrong-password');

    await page.getByLabel('Username').fill('shopper');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Login' }).click();
    await page.getByText('Hello, shopper! You are logged in.').waitFor();
    const [cookie] = await page.context().cookies();
    assert.equal(cookie?.expires, -1, 'without "remember me" the cookie ends with the browser');

    await page.getByRole('link', { name: 'Back to the shop' }).click();
    await page.getByTestId('who').getByText('shopper').waitFor();
    await page.getByTestId('cart-lines').getByText('1 × Towel').waitFor();
  });
});
