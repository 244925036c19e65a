// CK-17: in a real browser, over HTTPS, the session cookie is the hardened one (`__Host-`,
// Secure, HttpOnly, SameSite=Lax, host-only), it works (the page is logged in, across a
// reload), page scripts cannot read it, and logout removes it from the jar. The shop is served
// over TLS with a certificate made for the test (chromium is told to accept it).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openSqliteDatabase } from '@coatcheck/sqlite';
import { sqliteStore } from '@coatcheck/sqlite';
import { buildApp } from '../../src/app.js';
import { WEB_DIST } from '../../src/routes/web.js';
import { ensureWebBuilt } from '../../src/web-build.js';
import { TEST_HASHING } from '../test-hashing.js';
import { launchBrowser, newDevicePage, registerAndLogIn, screenshot, tempDir, TEST_TIMEOUT_MS } from './browser-helpers.js';
import { localCertificate } from './tls-certificate.js';

/** The shop behind a TLS listener: the app's own HTTP handlers answer what arrives over TLS. */
async function startHttpsShop(): Promise<string> {
  await ensureWebBuilt();
  const dir = tempDir('coatcheck-https-');
  const db = openSqliteDatabase({ filename: join(dir, 'shop.sqlite') });
  const store = sqliteStore({ database: db, pruneIntervalMs: 0 });
  const server = createServer(localCertificate(dir));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `https://localhost:${(server.address() as AddressInfo).port}`;
  const app = buildApp({
    store,
    db,
    secrets: [randomBytes(32).toString('base64url')],
    web: WEB_DIST,
    realtime: { origins: [origin] },
    passwordHashing: TEST_HASHING,
  });
  await app.ready();
  // The request's socket is the TLS socket, so the shop sees HTTPS as it would in production.
  server.on('request', (request, response) => app.server.emit('request', request, response));
  server.on('upgrade', (request, socket, head) => app.server.emit('upgrade', request, socket, head));
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await app.close();
    await store.close();
    db.close();
  });
  return origin;
}

describe('browser: the session cookie over HTTPS', { timeout: TEST_TIMEOUT_MS }, () => {
  it('CK-17 chromium stores the hardened cookie, sends it, hides it from page scripts, and drops it at logout', async () => {
    const origin = await startHttpsShop();
    const browser = await launchBrowser();
    const page = await newDevicePage(browser, { ignoreHTTPSErrors: true });
    await page.goto(origin);
    await registerAndLogIn(page, 'alice');

    const jar = await page.context().cookies();
    assert.deepEqual(
      jar.map(({ name, domain, path, secure, httpOnly, sameSite, expires }) => ({ name, domain, path, secure, httpOnly, sameSite, expires })),
      [{ name: '__Host-sid', domain: 'localhost', path: '/', secure: true, httpOnly: true, sameSite: 'Lax', expires: -1 }],
      'one host-only, browser-session cookie with every attribute',
    );
    assert.match(jar[0]?.value ?? '', /^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    assert.equal(await page.evaluate('document.cookie'), '', 'page scripts see no cookie');
    await page.reload();
    await page.getByTestId('who').getByText('alice').waitFor();
    assert.equal(await page.evaluate('document.cookie'), '');
    await screenshot(page, 'https-cookie-logged-in');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByTestId('who').getByText('Browsing anonymously').waitFor();
    assert.deepEqual(await page.context().cookies(), [], 'logout removed it from the jar');
    await page.reload();
    await page.getByTestId('who').getByText('Browsing anonymously').waitFor();
  });
});
