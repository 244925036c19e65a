// CK-19: a partitioned session cookie (CHIPS) in a real browser. A page on one site embeds, in
// an iframe, an app on another site. The profile says whether chromium blocks third-party
// cookies (its `cookie_controls_mode` preference: 1 blocks them, 0 allows them), so neither
// case depends on the build's default. Three host names, all resolved to 127.0.0.1 by chromium's resolver rules
// and served over TLS with a certificate made for the run:
//   top.test    the embedding site (a page with an iframe)
//   chips.test  the app with `partitioned: true`
//   plain.test  the same app without it (SameSite=None, Secure)
// Each name is its own site (an unknown top-level domain is not a public suffix), so the
// iframes are third-party contexts.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Frame, Page } from 'playwright-core';
import { createSessionManager } from 'coatcheck';
import type { CookieOptions } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { coatcheck } from '@coatcheck/fastify';
import { launchProfile, screenshot, tempDir, TEST_TIMEOUT_MS } from './browser-helpers.js';
import { localCertificate } from './tls-certificate.js';

const TOP = 'top.test';
const CHIPS = 'chips.test';
const PLAIN = 'plain.test';

// The app's page shows who the session belongs to, as the server says.
const APP_PAGE = `<!doctype html><title>embedded</title><p id="who">…</p>
<script>fetch('/me').then((r) => r.json()).then((b) => { document.getElementById('who').textContent = b.user ? 'signed in as ' + b.user : 'anonymous'; });</script>`;

async function embeddedApp(cookie: CookieOptions): Promise<FastifyInstance> {
  const manager = createSessionManager({ store: memoryStore(), secrets: [randomBytes(32).toString('base64url')], cookie });
  const app = Fastify();
  await app.register(coatcheck, { manager });
  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(APP_PAGE));
  app.get('/me', async (request) => ({ user: request.session.userId }));
  app.post('/login', async (request) => {
    await request.session.login('alice');
    return { ok: true };
  });
  app.post('/logout', async (request) => {
    await request.session.logout();
    return { ok: true };
  });
  await app.ready();
  after(() => app.close());
  return app;
}

/** One TLS listener for the three sites, dispatching on the Host header; resolves with its port. */
async function startSites(): Promise<number> {
  const apps = new Map([
    [CHIPS, await embeddedApp({ partitioned: true, sameSite: 'none', secure: true })],
    [PLAIN, await embeddedApp({ sameSite: 'none', secure: true })],
  ]);
  const server = createServer(localCertificate(tempDir('coatcheck-chips-'), [TOP, CHIPS, PLAIN]));
  server.on('request', (request, response) => {
    const [host = '', port] = (request.headers.host ?? '').split(':');
    const app = apps.get(host);
    if (app) return void app.server.emit('request', request, response);
    const target = new URL(request.url ?? '/', 'https://top.test').searchParams.get('embed') ?? CHIPS;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(`<!doctype html><title>top</title><iframe src="https://${target}:${port}/"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

/** The iframe of `host` on `page`, once its page has said who is signed in. */
async function appFrame(page: Page, host: string, who: string): Promise<Frame> {
  await page.frameLocator('iframe').locator('#who').getByText(who, { exact: true }).waitFor();
  const frame = page.frames().find((f) => new URL(f.url()).hostname === host);
  assert.ok(frame, `an iframe from ${host}`);
  return frame;
}

/** A page of a fresh chromium profile that blocks (or allows) third-party cookies. */
async function openBrowser({ blockThirdPartyCookies }: { blockThirdPartyCookies: boolean }): Promise<Page> {
  const profile = tempDir('coatcheck-chips-profile-');
  mkdirSync(`${profile}/Default`);
  writeFileSync(`${profile}/Default/Preferences`, JSON.stringify({ profile: { cookie_controls_mode: blockThirdPartyCookies ? 1 : 0 } }));
  const context = await launchProfile(profile, { args: ['--host-resolver-rules=MAP *.test 127.0.0.1'], ignoreHTTPSErrors: true });
  after(() => context.close());
  return context.newPage();
}

/** The browser's cookies, with the partition each lives in. */
async function jar(page: Page): Promise<unknown[]> {
  const cookies = await page.context().cookies();
  return cookies.map(({ name, domain, sameSite, partitionKey }) => ({ name, domain, sameSite, partitionKey }));
}

const post = (frame: Frame, path: string) => frame.evaluate((p) => fetch(p, { method: 'POST' }).then((r) => r.status), path);

describe('browser: a partitioned session cookie in a cross-site iframe', { timeout: TEST_TIMEOUT_MS }, () => {
  it('CK-19 third-party cookies blocked: the embedded app keeps its session across reloads, only in its partition, and logout clears it; without Partitioned it has none', async () => {
    const port = await startSites();
    const page = await openBrowser({ blockThirdPartyCookies: true });
    const top = `https://${TOP}:${port}`;

    await page.goto(`${top}/?embed=${CHIPS}`);
    let frame = await appFrame(page, CHIPS, 'anonymous');
    assert.equal(await post(frame, '/login'), 200);
    await page.reload();
    frame = await appFrame(page, CHIPS, 'signed in as alice');
    await frame.goto(frame.url());
    frame = await appFrame(page, CHIPS, 'signed in as alice');
    await screenshot(page, 'partitioned-cookie-embedded');
    assert.deepEqual(await jar(page), [{ name: '__Host-sid', domain: CHIPS, sameSite: 'None', partitionKey: `https://${TOP}` }]);

    // The same app opened on its own site is another partition: no session there.
    const own = await page.context().newPage();
    await own.goto(`https://${CHIPS}:${port}/`);
    await own.locator('#who').getByText('anonymous', { exact: true }).waitFor();
    await own.close();

    // The clearing cookie carries Partitioned, so it deletes the partitioned cookie.
    assert.equal(await post(frame, '/logout'), 200);
    assert.deepEqual(await jar(page), [], 'the cookie is gone from the partition');
    await page.reload();
    await appFrame(page, CHIPS, 'anonymous');

    // Without Partitioned, the third-party cookie is blocked: the login answers, but the
    // browser does not keep the cookie, and the app is anonymous again after a reload.
    await page.goto(`${top}/?embed=${PLAIN}`);
    frame = await appFrame(page, PLAIN, 'anonymous');
    const login = page.waitForResponse((r) => r.url() === `https://${PLAIN}:${port}/login`);
    assert.equal(await post(frame, '/login'), 200);
    assert.match(
      (await (await login).headerValue('set-cookie')) ?? '',
      /^__Host-sid=[^;]+; Path=\/; HttpOnly; Secure; SameSite=None$/,
      'the server did set it',
    );
    await page.reload();
    await appFrame(page, PLAIN, 'anonymous');

    // Control: opened top-level, the unpartitioned app keeps its session (first-party cookie).
    await page.goto(`https://${PLAIN}:${port}/`);
    await page.locator('#who').getByText('anonymous', { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => fetch('/login', { method: 'POST' }).then((r) => r.status)), 200);
    await page.reload();
    await page.locator('#who').getByText('signed in as alice', { exact: true }).waitFor();
  });

  it('CK-19 control: with third-party cookies allowed, the unpartitioned cookie works in the iframe (the case above fails because of the blocking)', async () => {
    const port = await startSites();
    const page = await openBrowser({ blockThirdPartyCookies: false });
    await page.goto(`https://${TOP}:${port}/?embed=${PLAIN}`);
    const frame = await appFrame(page, PLAIN, 'anonymous');
    assert.equal(await post(frame, '/login'), 200);
    await page.reload();
    await appFrame(page, PLAIN, 'signed in as alice');
  });
});
