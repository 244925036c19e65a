import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchBrowser, logIn, openPage, PASSWORD, registerUser, screenshot, startShop, TEST_TIMEOUT_MS } from './browser-helpers.js';

async function fillCartAndReview(page: Page, first: boolean): Promise<void> {
  await page.getByRole('link', { name: 'Shop', exact: true }).click();
  await page.getByRole('button', { name: 'Add Sourdough loaf to cart' }).click();
  await page.getByRole('button', { name: 'Add Aged cheddar to cart' }).click();
  await page.getByTestId('cart-lines').getByText('1 × Aged cheddar').waitFor();
  await page.getByRole('link', { name: /^Checkout/ }).click();
  if (first) {
    await page.getByLabel('Full name').fill('Alice Liddell');
    await page.getByLabel('Street').fill('1 Rabbit Hole');
    await page.getByLabel('Postcode').fill('OX1 1AA');
    await page.getByLabel('City').fill('Oxford');
    await page.getByLabel('Country (2 letters)').fill('gb');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.getByLabel('Invoice').check();
    await page.getByRole('button', { name: 'Review order' }).click();
  } else {
    // The address is remembered in the session; only the payment step is asked again.
    await page.getByRole('button', { name: 'Review order' }).click();
  }
  await page.getByTestId('checkout-total').getByText('€11.40').waitFor();
}

async function orderCount(page: Page): Promise<number> {
  await page.getByRole('link', { name: 'Orders' }).click();
  // The list is fetched when the tab opens; aria-busy drops once it has arrived.
  await page.locator('[data-testid="orders"][aria-busy="false"]').waitFor();
  return page.getByTestId('order').count();
}

describe('browser: checkout', { timeout: TEST_TIMEOUT_MS }, () => {
  it('SU-09 a large order after the freshness window shows the password prompt, then is placed once', async () => {
    const shop = await startShop({ stepUpCheckoutAbove: 1000 });
    const browser = await launchBrowser();
    await registerUser(shop, 'alice');
    const page = await openPage(browser, shop.url);
    await logIn(page, 'alice');
    shop.advance(10 * 60_000);
    await fillCartAndReview(page, true);
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.getByText('confirm your current password first').waitFor();
    await page.getByLabel('Current password').fill(PASSWORD);
    await screenshot(page, 'checkout-step-up');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('order-placed').waitFor();
    assert.equal(await orderCount(page), 1);
  });

  it('walks the steps, places the order, and a retried or doubled submit places it once', async () => {
    const shop = await startShop();
    const browser = await launchBrowser();
    await registerUser(shop, 'alice');
    const page = await openPage(browser, shop.url);
    await logIn(page, 'alice');
    await fillCartAndReview(page, true);
    await page.getByText('To Alice Liddell, 1 Rabbit Hole, OX1 1AA Oxford, GB').waitFor();
    await screenshot(page, 'checkout-review');

    // The first answer is lost on the way back (the order was placed); the person clicks
    // again, and the page resends the same attempt key.
    let placeRequests = 0;
    await page.route('**/checkout/place', async (route) => {
      placeRequests += 1;
      if (placeRequests > 1) return route.continue();
      const response = await route.fetch();
      assert.equal(response.status(), 201);
      return route.abort('timedout');
    });
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.getByRole('alert').getByText('not reachable').waitFor();
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.getByTestId('order-placed').waitFor();
    assert.equal(placeRequests, 2);
    assert.match(await page.getByTestId('order-placed').innerText(), /2 items, €11\.40/);
    await screenshot(page, 'checkout-placed');
    await page.unroute('**/checkout/place');
    assert.equal(await orderCount(page), 1, 'the retry returned the first order');

    // A double click on "Place order".
    await fillCartAndReview(page, false);
    await page.getByRole('button', { name: 'Place order' }).dblclick();
    await page.getByTestId('order-placed').waitFor();
    assert.equal(await orderCount(page), 2);

    // Two submits of one attempt racing from the page's own origin: one order, both told so.
    await fillCartAndReview(page, false);
    // A string, not a function: tsx would wrap a function's inner helpers in its own `__name`,
    // which does not exist in the page.
    const results = (await page.evaluate(`(async () => {
      const send = () => fetch('/checkout/place', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ idempotency_key: 'racing-attempt-0123456789' }),
      }).then(async (res) => ({ status: res.status, replayed: res.headers.get('idempotent-replayed'), id: (await res.json()).order.id }));
      return Promise.all([send(), send(), send()]);
    })()`)) as Array<{ status: number; replayed: string | null; id: string }>;
    assert.deepEqual(
      results.map((r) => r.status),
      [201, 201, 201],
    );
    assert.equal(new Set(results.map((r) => r.id)).size, 1);
    assert.equal(results.filter((r) => r.replayed === null).length, 1);
    assert.equal(await orderCount(page), 3);
    await screenshot(page, 'checkout-orders');
  });
});
