import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newDevicePage, openPage, screenshot, startShop, TEST_TIMEOUT_MS } from './browser-helpers.js';

describe('browser: API docs', { timeout: TEST_TIMEOUT_MS }, () => {
  it('/docs renders every operation from this server alone, without console errors', async () => {
    const shop = await startShop();
    const browser = await launchBrowser();
    const page = await newDevicePage(browser);
    const errors: string[] = [];
    const offsite: string[] = [];
    page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
    page.on('request', (request) => void (request.url().startsWith(shop.url) || offsite.push(request.url())));
    await page.goto(`${shop.url}/docs`);
    await page.locator('.opblock').first().waitFor();
    const doc = (await (await fetch(`${shop.url}/docs/json`, { signal: AbortSignal.timeout(10_000) })).json()) as { paths: Record<string, object> };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    assert.equal(await page.locator('.opblock').count(), operations);
    assert.deepEqual(errors, []);
    assert.deepEqual(offsite, [], 'works offline');
    await screenshot(page, 'docs');
    // And the page links to it.
    const home = await openPage(browser, shop.url);
    assert.equal(await home.getByRole('link', { name: 'API docs' }).getAttribute('href'), '/docs');
  });
});
