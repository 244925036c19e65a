// The page's live channel: what another device or tab does shows up here without a reload.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, liveSocketReady, logIn, newDevicePage, registerUser, screenshot, startShop, TEST_TIMEOUT_MS } from './browser-helpers.js';

/** The acceptance bound: a revoked device shows itself logged out within a second. */
const LIVE_BOUND_MS = 1000;
const PHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1';

describe('browser: live updates over /ws', { timeout: TEST_TIMEOUT_MS }, () => {
  it('WS-05 a device revoked from another browser shows itself logged out live, within 1 s', async (t) => {
    const shop = await startShop();
    const browser = await launchBrowser();
    await registerUser(shop, 'alice');
    const laptop = await newDevicePage(browser);
    const phone = await newDevicePage(browser, { userAgent: PHONE_UA });
    await laptop.goto(shop.url);
    const laptopLive = liveSocketReady(laptop);
    await logIn(laptop, 'alice');
    await laptopLive;
    await laptop.getByRole('link', { name: 'Devices' }).click();
    const rows = laptop.getByTestId('device-row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);

    // The phone logs in: the laptop's open device list grows by itself.
    await phone.goto(shop.url);
    const phoneLive = liveSocketReady(phone);
    await logIn(phone, 'alice');
    await phoneLive;
    await rows.nth(1).waitFor();
    await laptop.getByText('Safari on iOS').waitFor();

    // The revoke call, with the laptop's cookies; the clock starts when it returns.
    const request = laptop.context().request;
    const { sessions } = (await (await request.get(`${shop.url}/sessions`)).json()) as { sessions: Array<{ id: string; current: boolean }> };
    const phoneSession = sessions.find((s) => !s.current);
    assert.ok(phoneSession);
    // Playwright's API client sends no Sec-Fetch-Site: the page's own Origin passes CSRF.
    const revoked = await request.delete(`${shop.url}/sessions/${phoneSession.id}`, { headers: { origin: shop.url } });
    assert.equal(revoked.status(), 204);
    const returned = performance.now();
    // No click, no reload, no request from the phone: only its socket can tell it.
    await phone.getByRole('alert').getByText('You were signed out on this device').waitFor({ timeout: LIVE_BOUND_MS });
    const elapsed = performance.now() - returned;
    t.diagnostic(`revoked device showed itself logged out ${elapsed.toFixed(0)} ms after the revoke call returned`);
    assert.equal(await phone.getByTestId('who').innerText(), 'Browsing anonymously');
    await screenshot(phone, 'live-revoked-phone');

    // The laptop's list shrinks by itself too, and the laptop stays logged in.
    await laptop.locator('[data-testid="device-row"]').nth(1).waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 1);
    await laptop.getByTestId('who').getByText('alice').waitFor();
    await screenshot(laptop, 'live-devices-laptop');
    // And the server agrees: the phone's cookie is dead.
    await phone.reload();
    await phone.getByTestId('who').getByText('Browsing anonymously').waitFor();
  });

  it('logging this device out from its own device list is not reported as "signed out elsewhere"', async () => {
    const shop = await startShop();
    const browser = await launchBrowser();
    await registerUser(shop, 'carol');
    const page = await newDevicePage(browser);
    await page.goto(shop.url);
    const live = liveSocketReady(page);
    await logIn(page, 'carol');
    const socket = await live;
    await page.getByRole('link', { name: 'Devices' }).click();
    const closed = socket.waitForEvent('close');
    // Hold the revoke response back, so the socket's close (4401, as for any revocation)
    // certainly reaches the page first: the order a slow network produces.
    await page.route('**/sessions/*', async (route) => {
      const response = await route.fetch();
      await closed;
      await route.fulfill({ response });
    });
    await page.locator('[data-testid="device-row"][data-current="true"]').getByRole('button', { name: 'Log out' }).click();
    await page.getByTestId('who').getByText('Browsing anonymously').waitFor();
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => resolve(null)))');
    assert.equal(await page.getByRole('alert').count(), 0);
  });

  it('two tabs of one browser: a cart change in one shows in the other without a reload', async () => {
    const shop = await startShop();
    const browser = await launchBrowser();
    await registerUser(shop, 'bob');
    const tabA = await newDevicePage(browser);
    await tabA.goto(shop.url);
    await logIn(tabA, 'bob');
    // Same browser context, so the same cookie and the same session.
    const tabB = await tabA.context().newPage();
    const live = liveSocketReady(tabB);
    await tabB.goto(shop.url);
    await tabB.getByTestId('who').getByText('bob').waitFor();
    await live;
    assert.equal(await tabB.getByTestId('cart-lines').count(), 0);

    await tabA.getByRole('button', { name: 'Add Apple to cart' }).click();
    await tabA.getByTestId('cart-lines').getByText('1 × Apple').waitFor();
    await tabB.getByTestId('cart-lines').getByText('1 × Apple').waitFor();
    await tabA.getByRole('button', { name: 'Add Coffee beans to cart' }).click();
    await tabB.getByTestId('cart-lines').getByText('1 × Coffee beans').waitFor();
    await tabB.getByRole('navigation').getByText('Checkout (2)').waitFor();
    await screenshot(tabB, 'live-cart-tab-b');
  });

  it('the socket reconnects after the server restarts, and still carries revocations', async () => {
    const shop = await startShop();
    const browser = await launchBrowser();
    await registerUser(shop, 'dave');
    const page = await newDevicePage(browser);
    await page.goto(shop.url);
    const first = liveSocketReady(page);
    await logIn(page, 'dave');
    const socket = await first;
    const closed = socket.waitForEvent('close');

    // Same port, store and secret: the cookie stays valid and the page reconnects by itself.
    const second = liveSocketReady(page);
    await shop.restart();
    await closed;
    await second;
    await page.getByTestId('who').getByText('dave').waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, 'a restart is not a logout');

    // The new socket is bound to the session like the first one was.
    const other = await newDevicePage(browser);
    await other.goto(shop.url);
    await logIn(other, 'dave');
    const request = other.context().request;
    const { sessions } = (await (await request.get(`${shop.url}/sessions`)).json()) as { sessions: Array<{ id: string; current: boolean }> };
    const target = sessions.find((s) => !s.current);
    assert.ok(target);
    assert.equal((await request.delete(`${shop.url}/sessions/${target.id}`, { headers: { origin: shop.url } })).status(), 204);
    await page.getByRole('alert').getByText('You were signed out on this device').waitFor({ timeout: LIVE_BOUND_MS });
    await screenshot(page, 'live-after-restart-revoked');
  });
});
