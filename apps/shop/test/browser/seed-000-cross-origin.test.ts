// Seed 000's SPA from its own origin, as the tutorial runs it (its dev server on one port, the
// API on another): its api.js, as written (axios, `Authorization: Bearer` from localStorage),
// changed only in its base URL, served by a tiny static server at http://localhost:<port>
// while the shop is at http://127.0.0.1:<port>. The page works when its origin is listed in
// CORS_ORIGINS, and the browser keeps the API's answers from it when it is not.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, newDevicePage, TEST_TIMEOUT_MS } from './browser-helpers.js';
import { type SpaFile, startSpaAndShop } from './spa-origin.js';

/** The tutorial's file, byte for byte. */
const API_JS = readFileSync(new URL('./seed-000/api.js', import.meta.url), 'utf8');
const TUTORIAL_BASE_URL = "const API_BASE_URL = 'http://localhost:8000';";
/** axios's browser ESM build: `import axios from 'axios'` resolves to it through the import map. */
const AXIOS = readFileSync(join(dirname(createRequire(import.meta.url).resolve('axios/package.json')), 'dist/esm/axios.min.js'), 'utf8');

// What the tutorial's App.js does on mount, written into the DOM instead of React state.
const MAIN_JS = `import { getAnonymousToken, getAnonymousData, getUserMe } from './api.js';
const show = (id, value) => { document.getElementById(id).textContent = typeof value === 'string' ? value : JSON.stringify(value); };
try {
  await getAnonymousToken();
  show('me', await getUserMe());
  show('data', await getAnonymousData());
  show('status', 'done');
} catch (error) {
  show('error', String(error.code) + ': ' + error.message);
  show('status', 'failed');
}`;

const INDEX_HTML = `<!doctype html><meta charset="utf-8"><title>seed 000</title>
<script type="importmap">{ "imports": { "axios": "/axios.js" } }</script>
<pre id="me"></pre><pre id="data"></pre><pre id="error"></pre><p id="status">loading</p>
<script type="module" src="/main.js"></script>`;

/** The SPA's files, with the tutorial's base URL replaced by the shop's. */
const files = (apiBase: string): Record<string, SpaFile> => ({
  '/': ['text/html; charset=utf-8', INDEX_HTML],
  '/main.js': ['text/javascript', MAIN_JS],
  '/api.js': ['text/javascript', API_JS.replace(TUTORIAL_BASE_URL, `const API_BASE_URL = '${apiBase}';`)],
  '/axios.js': ['text/javascript', AXIOS],
});

/** Runs the SPA against a shop that lists `listed` in CORS_ORIGINS; reports what the page saw and what the shop answered. */
async function runSpa(listed: (spaOrigin: string) => string[]) {
  const { spa, shop, seen } = await startSpaAndShop(files, listed);
  assert.ok(API_JS.includes(TUTORIAL_BASE_URL), 'the only change to api.js is its base URL');
  const browser = await launchBrowser();
  const page = await newDevicePage(browser);
  // The API's responses as the browser received them (preflights are not reported here).
  const headers: Array<{ path: string; headers: Record<string, string> }> = [];
  page.on('response', (response) => {
    if (response.url().startsWith(shop.url)) headers.push({ path: new URL(response.url()).pathname, headers: response.headers() });
  });
  await page.goto(`${spa.origin}/`);
  await page
    .locator('#status')
    .filter({ hasText: /^(done|failed)$/ })
    .waitFor();
  return { spa, shop, page, seen, headers };
}

const text = (page: Page, id: string) => page.locator(`#${id}`).innerText();

describe('browser: seed 000 SPA from its own origin', { timeout: TEST_TIMEOUT_MS }, () => {
  it('CO-01 CO-03 listed in CORS_ORIGINS, the tutorial client gets its anonymous id across origins', async () => {
    const { spa, page, seen, headers } = await runSpa((origin) => [origin]);
    assert.equal(await text(page, 'error'), '');
    assert.equal(await text(page, 'status'), 'done');
    const me = JSON.parse(await text(page, 'me')) as { current_user_id: string };
    assert.match(me.current_user_id, /^anonymous_/);
    assert.match(await text(page, 'data'), /\S/);
    // Every API response the page read carried its origin, never `*`, and Vary: Origin.
    assert.deepEqual(
      headers.map(({ path }) => path),
      ['/anonymous-login', '/user/me', '/anonymous-data'],
    );
    for (const { path, headers: got } of headers) {
      assert.equal(got['access-control-allow-origin'], spa.origin, path);
      assert.equal(got['access-control-allow-credentials'], 'true', path);
      assert.match(got.vary ?? '', /\bOrigin\b/, path);
    }
    // The bearer header makes the browser ask first: the shop answered those preflights.
    const preflights = seen.filter(({ method }) => method === 'OPTIONS');
    assert.ok(
      preflights.some(({ url }) => url === '/user/me'),
      JSON.stringify(seen),
    );
    for (const preflight of preflights) {
      assert.equal(preflight.status, 204);
      assert.equal(preflight.origin, spa.origin);
    }
  });

  it('CO-03 not listed, the same page fails: the shop answers, the browser keeps the answer from the page', async () => {
    const { spa, page, seen, headers } = await runSpa(() => []);
    assert.equal(await text(page, 'status'), 'failed');
    assert.equal(await text(page, 'error'), 'ERR_NETWORK: Network Error');
    assert.equal(await text(page, 'me'), '');
    // The server did answer the token request; no CORS header let the page read it.
    const login = seen.find(({ url }) => url === '/anonymous-login');
    assert.ok(login, JSON.stringify(seen));
    assert.equal(login.origin, spa.origin);
    for (const { path, headers: got } of headers) assert.equal(got['access-control-allow-origin'], undefined, path);
  });
});
