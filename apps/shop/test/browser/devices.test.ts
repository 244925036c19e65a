import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, logIn, newDevicePage, registerUser, screenshot, startShop, TEST_TIMEOUT_MS } from './browser-helpers.js';

describe('browser: my devices', { timeout: TEST_TIMEOUT_MS }, () => {
  it('LC-19 two browsers of one user: revoking one from the other logs it out on its next request, even with no live socket', async () => {
    const shop = await startShop();
    const browser = await launchBrowser();
    await registerUser(shop, 'alice');
    // Two separate cookie jars, like a laptop and a phone.
    const laptop = await newDevicePage(browser);
    const phone = await newDevicePage(browser, {
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1',
    });
    await laptop.goto(shop.url);
    await logIn(laptop, 'alice');
    // A network that drops WebSockets (some proxies do): the page falls back to finding out
    // on its next request. The live path is in live.test.ts.
    await phone.routeWebSocket(/\/ws$/, (socket) => socket.close());
    await phone.goto(shop.url);
    await logIn(phone, 'alice', { remember: true });

    await laptop.getByRole('link', { name: 'Devices' }).click();
    const rows = laptop.getByTestId('device-row');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    const phoneRow = laptop.locator('[data-testid="device-row"][data-current="false"]');
    assert.match(await phoneRow.innerText(), /Safari on iOS/);
    assert.match(await phoneRow.innerText(), /remembered/);
    await screenshot(laptop, 'devices-two');
    // Each device's history opens under its row.
    await phoneRow.getByRole('button', { name: 'History' }).click();
    await laptop.getByTestId('device-history').getByText('Signed in by you').waitFor();
    await phoneRow.getByRole('button', { name: 'History' }).click();
    await phoneRow.getByRole('button', { name: 'Log out device' }).click();
    await laptop.getByText('Logged out Safari on iOS.').waitFor();
    assert.equal(await rows.count(), 1);

    // The phone learns on its next request: here, opening its device list.
    await phone.getByRole('link', { name: 'Devices' }).click();
    await phone.getByRole('alert').getByText('You were signed out on this device').waitFor();
    await phone.getByTestId('who').getByText('Browsing anonymously').waitFor();
    await screenshot(phone, 'devices-revoked-phone');
    // And a reload agrees: the cookie it still holds is dead on the server.
    await phone.reload();
    await phone.getByTestId('who').getByText('Browsing anonymously').waitFor();
    await laptop.reload();
    await laptop.getByTestId('who').getByText('alice').waitFor();
  });

  it('LC-20 "log out all other devices" keeps this one', async () => {
    const shop = await startShop();
    const browser = await launchBrowser();
    await registerUser(shop, 'bob');
    const pages = [];
    for (let i = 0; i < 3; i++) {
      const page = await newDevicePage(browser);
      await page.goto(shop.url);
      await logIn(page, 'bob');
      pages.push(page);
    }
    const [first, second, third] = pages as [(typeof pages)[0], (typeof pages)[0], (typeof pages)[0]];
    await first.getByRole('link', { name: 'Devices' }).click();
    await first.getByTestId('device-row').nth(2).waitFor();
    await first.getByRole('button', { name: 'Log out all other devices' }).click();
    await first.getByText('Logged out 2 other devices.').waitFor();
    for (const page of [second, third]) {
      await page.reload();
      await page.getByTestId('who').getByText('Browsing anonymously').waitFor();
    }
    await first.reload();
    await first.getByTestId('who').getByText('bob').waitFor();
  });
});
