// The lobby (seed 003's room broadcast): what one user says reaches the other users' pages
// live, under the name the server knows them by.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, liveFrame, logIn, newDevicePage, registerUser, screenshot, startShop, TEST_TIMEOUT_MS } from './browser-helpers.js';

describe('browser: lobby', { timeout: TEST_TIMEOUT_MS }, () => {
  it("WS-09 a line said in the lobby reaches another user's page, named by the server", async () => {
    const shop = await startShop();
    const browser = await launchBrowser();
    await registerUser(shop, 'alice');
    await registerUser(shop, 'bob');
    const [alice, bob] = [await newDevicePage(browser), await newDevicePage(browser)];
    for (const [page, name] of [
      [alice, 'alice'],
      [bob, 'bob'],
    ] as const) {
      await page.goto(shop.url);
      // Joined before anyone speaks: the page joins the lobby as soon as it is connected.
      const joined = liveFrame(page, '"type":"joined"');
      await logIn(page, name);
      await joined;
      await page.getByRole('navigation').getByRole('link', { name: 'Lobby' }).click();
    }

    await alice.getByLabel('Message').fill('Anyone tried the coffee beans?');
    await alice.getByRole('button', { name: 'Send' }).click();
    const bobLines = bob.getByTestId('chat-lines').locator('li');
    await bobLines.first().waitFor();
    assert.equal((await bobLines.first().innerText()).trim(), 'alice: Anyone tried the coffee beans?');
    await bob.getByLabel('Message').fill('Yes, very good.');
    await bob.getByRole('button', { name: 'Send' }).click();
    const aliceLines = alice.getByTestId('chat-lines').locator('li');
    await aliceLines.nth(1).waitFor();
    assert.deepEqual(
      (await aliceLines.allInnerTexts()).map((l) => l.trim()),
      ['alice: Anyone tried the coffee beans?', 'bob: Yes, very good.'],
    );
    assert.equal(await alice.getByLabel('Message').inputValue(), '', 'the draft is cleared once sent');
    await screenshot(alice, 'lobby');
  });
});
