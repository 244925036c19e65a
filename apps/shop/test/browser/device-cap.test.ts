// The cap on devices per account in the page: the browser signed out to make room learns why
// from its live socket, the one that signed in sees the eviction on its Devices tab, and a
// refused sign-in shows the server's reason on the login form.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readConfig } from '../../src/config.js';
import { launchBrowser, liveSocketReady, logIn, newDevicePage, registerUser, screenshot, startShop, TEST_TIMEOUT_MS } from './browser-helpers.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1';
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** The shop, on its own SQLite store, with the cap `env` sets. */
async function cappedShop(env: Record<string, string>) {
  return startShop({ deviceCap: readConfig(env, '/tmp').deviceCap });
}

describe('browser: a cap on devices per account', { timeout: TEST_TIMEOUT_MS }, () => {
  it('LC-21 MAX_DEVICES=2: a third browser signs the first out, which says why at once; the third lists the eviction', async () => {
    const shop = await cappedShop({ MAX_DEVICES: '2' });
    const browser = await launchBrowser();
    await registerUser(shop, 'alice');
    const [laptop, phone, desktop] = [
      await newDevicePage(browser, { userAgent: FIREFOX }),
      await newDevicePage(browser, { userAgent: IPHONE }),
      await newDevicePage(browser, { userAgent: CHROME }),
    ];
    await laptop.goto(shop.url);
    const laptopReady = liveSocketReady(laptop);
    await logIn(laptop, 'alice');
    const laptopSocket = await laptopReady;
    await phone.goto(shop.url);
    await logIn(phone, 'alice');

    // Waiting from before the sign-in that makes room, so the notice cannot be missed.
    const notice = laptopSocket.waitForEvent('framereceived', {
      predicate: ({ payload }) => typeof payload === 'string' && payload.includes('"type":"session-ended"'),
      timeout: 20_000,
    });
    await desktop.goto(shop.url);
    await logIn(desktop, 'alice');
    assert.deepEqual(JSON.parse(String((await notice).payload)), { type: 'session-ended', reason: 'session-limit' });
    // Only the socket can tell this message apart: a 401 says "signed out on this device".
    await laptop.getByRole('alert').getByText('You were signed out: your account signed in on too many devices.').waitFor();
    await laptop.getByTestId('who').getByText('Browsing anonymously').waitFor();
    await screenshot(laptop, 'device-cap-signed-out');

    await desktop.getByRole('link', { name: 'Devices' }).click();
    const rows = desktop.getByTestId('device-row');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    assert.match(await desktop.locator('[data-testid="device-row"][data-current="false"]').innerText(), /^Safari on iOS/);
    assert.match(await desktop.locator('[data-testid="device-row"][data-current="true"]').innerText(), /^Chrome on macOS/);
    const eviction = desktop.getByTestId('evictions').getByRole('listitem');
    await eviction.waitFor();
    assert.equal(await eviction.count(), 1);
    assert.match(
      await eviction.innerText(),
      /^Signed out Firefox on Linux at \d{2}:\d{2} — too many devices \(a sign-in from Chrome on macOS, 127\.0\.0\.1\)$/,
    );
    await screenshot(desktop, 'device-cap-devices');
    // The phone was not touched.
    await phone.reload();
    await phone.getByTestId('who').getByText('alice').waitFor();
  });

  it('LC-21 MAX_DEVICES_POLICY=reject: the login form shows the reason, and both browsers stay signed in', async () => {
    const shop = await cappedShop({ MAX_DEVICES: '2', MAX_DEVICES_POLICY: 'reject' });
    const browser = await launchBrowser();
    await registerUser(shop, 'bob');
    const pages = [await newDevicePage(browser), await newDevicePage(browser)];
    for (const page of pages) {
      await page.goto(shop.url);
      await logIn(page, 'bob');
    }
    const third = await newDevicePage(browser);
    await third.goto(shop.url);
    await third.getByRole('navigation').getByRole('link', { name: 'Log in', exact: true }).click();
    await third.getByLabel('Username').fill('bob');
    await third.getByLabel('Password').fill('correct horse battery staple');
    await third.getByRole('button', { name: 'Log in', exact: true }).click();
    await third.getByRole('alert').getByText('This account is signed in on the most devices allowed (2); sign out on one of them first.').waitFor();
    assert.equal(await third.getByTestId('who').innerText(), 'Browsing anonymously');
    await screenshot(third, 'device-cap-refused');
    for (const page of pages) {
      await page.reload();
      await page.getByTestId('who').getByText('bob').waitFor();
    }
  });
});
