// RT-13 in chromium: ten tabs of one origin (pages of one browser context) share one bearer
// login through @coatcheck/client and refresh a thousand times between them, against a real
// Fastify app with @coatcheck/tokens that has no grace window, so any refresh with a
// rotated-away token would be detected as reuse and end the session. The tabs ask for a token
// that is always "about to expire" (the client's refresh margin is longer than the token's
// life), so every cycle wants a refresh: counted events, no waiting for real time.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { Page } from 'playwright-core';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { coatcheck } from '@coatcheck/fastify';
import { createTokenService, generateKeyFile, type RefreshEventOutcome } from '@coatcheck/tokens';
import { launchBrowser, TEST_TIMEOUT_MS } from './browser-helpers.js';
import { bundleClient } from './spa-origin.js';

const TABS = 10;
const CYCLES_PER_TAB = 100;

const PAGE = `<!doctype html><meta charset="utf-8"><title>loading</title>
<script type="importmap">{ "imports": { "@coatcheck/client": "/client.js" } }</script>
<script type="module" src="/main.js"></script>`;

// One tab. A cycle: a current access token (refreshed first, as it is always within the
// margin), then an API call with it.
const MAIN_JS = `import { createBearerFetch, memoryTokenStorage } from '@coatcheck/client';
const storage = memoryTokenStorage();
const ended = [];
const auth = createBearerFetch({ refreshUrl: '/token/refresh', storage, refreshMarginMs: 3600000, onSessionEnded: (e) => ended.push(e) });
window.tab = {
  coordinated: () => typeof navigator.locks?.request === 'function' && typeof BroadcastChannel === 'function',
  async logIn() {
    const response = await fetch('/login', { method: 'POST' });
    await auth.setTokens(await response.json());
  },
  async cycles(count) {
    const seen = { tokens: 0, ok: 0, other: [] };
    for (let i = 0; i < count; i++) {
      if (await auth.accessToken()) seen.tokens++;
      const response = await auth.fetch('/me');
      if (response.status === 200) seen.ok++;
      else seen.other.push(response.status);
    }
    return seen;
  },
  held: () => storage.load()?.accessToken ?? null,
  signOut: () => auth.setTokens(null),
  ended: () => ended,
};
document.title = 'ready';`;

/** The token API and the page, on one origin; counts what the tests assert on. */
async function startApp() {
  const secret = randomBytes(32).toString('base64url');
  const quiet = { warn: () => {}, error: () => {} };
  const manager = createSessionManager({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets: [secret], production: false });
  const tokens = await createTokenService({
    manager,
    keys: await generateKeyFile('EdDSA', Date.now() - 1000),
    refreshSecret: secret,
    // No grace: a refresh with a rotated-away token is reuse, and ends the session.
    refresh: { graceSeconds: 0 },
    logger: quiet,
  });
  const counts = { outcomes: {} as Partial<Record<RefreshEventOutcome, number>>, reuses: 0, inFlight: 0, mostInFlight: 0 };
  tokens.events.on('refresh', ({ outcome }) => void (counts.outcomes[outcome] = (counts.outcomes[outcome] ?? 0) + 1));
  tokens.events.on('refresh-reuse', () => void counts.reuses++);
  const client = await bundleClient();
  const app = Fastify();
  await app.register(coatcheck, { manager, bearer: tokens });
  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/main.js', (_request, reply) => reply.type('text/javascript').send(MAIN_JS));
  app.get('/client.js', (_request, reply) => reply.type('text/javascript').send(client));
  app.post('/login', async () => tokens.login(await manager.loadById(null), 'user-1'));
  app.post<{ Body: { refresh_token?: unknown } }>('/token/refresh', async (request, reply) => {
    counts.inFlight++;
    counts.mostInFlight = Math.max(counts.mostInFlight, counts.inFlight);
    try {
      const outcome = await tokens.refresh(request.body?.refresh_token);
      if (!outcome.ok) return reply.code(401).send({ error: { code: outcome.code, message: outcome.message } });
      return outcome.tokens;
    } finally {
      counts.inFlight--;
    }
  });
  app.get('/me', async (request, reply) =>
    request.session.userId === null ? reply.code(401).send({ error: { code: 'ERR_NOT_AUTHENTICATED' } }) : { userId: request.session.userId },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  after(() => app.close());
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, counts };
}

interface Tab {
  coordinated(): boolean;
  logIn(): Promise<void>;
  cycles(count: number): Promise<{ tokens: number; ok: number; other: number[] }>;
  held(): string | null;
  signOut(): Promise<void>;
  ended(): Array<{ code: string; otherTab: boolean }>;
}

/** Runs `tab[method](...args)` in the page. */
function run<K extends keyof Tab>(page: Page, method: K, ...args: Parameters<Tab[K]>): Promise<Awaited<ReturnType<Tab[K]>>> {
  return page.evaluate(([name, list]) => (globalThis as unknown as { tab: Record<string, (...values: unknown[]) => unknown> }).tab[name]?.(...list), [
    method,
    args as unknown[],
  ] as const) as Promise<Awaited<ReturnType<Tab[K]>>>;
}

/** Resolves once every page's `held()` is `token` (news between tabs arrives asynchronously). */
async function allHold(pages: Page[], token: string | null): Promise<void> {
  for (const page of pages) await page.waitForFunction((t) => (globalThis as unknown as { tab: Tab }).tab.held() === t, token);
}

describe('browser: the bearer client across tabs', { timeout: TEST_TIMEOUT_MS }, () => {
  it('RT-13 ten tabs refresh a thousand times between them: one refresh at a time, no reuse, nobody signed out; a logout signs every tab out', async (t) => {
    const { url, counts } = await startApp();
    const browser = await launchBrowser();
    const context = await browser.newContext();
    context.setDefaultTimeout(30_000);
    const pages = await Promise.all(Array.from({ length: TABS }, () => context.newPage()));
    const errors: string[] = [];
    for (const page of pages) {
      page.on('pageerror', (error) => void errors.push(error.message));
      await page.goto(url);
      await page.waitForFunction(() => (globalThis as unknown as { document: { title: string } }).document.title === 'ready');
      assert.equal(await run(page, 'coordinated'), true, 'chromium has Web Locks and BroadcastChannel');
    }
    const [first, second] = pages as [Page, Page];

    // One login, in one tab: every tab takes it.
    await run(first, 'logIn');
    await allHold(pages, await run(first, 'held'));

    const results = await Promise.all(pages.map((page) => run(page, 'cycles', CYCLES_PER_TAB)));
    for (const result of results)
      assert.deepEqual(
        result,
        { tokens: CYCLES_PER_TAB, ok: CYCLES_PER_TAB, other: [] },
        JSON.stringify({ results, counts, ended: await Promise.all(pages.map((p) => run(p, 'ended'))) }),
      );
    for (const page of pages) assert.deepEqual(await run(page, 'ended'), [], 'no tab was signed out');

    // Every refresh the server saw rotated: none replayed a token (reuse) and none was
    // refused. The lock let one run at a time; a tab that waited behind another used that
    // tab's tokens, so there were at most as many refreshes as cycles, and at least as many
    // as one tab's own cycles (each of them needs a rotation newer than its start).
    assert.equal(counts.reuses, 0);
    const rotated = counts.outcomes.rotated ?? 0;
    assert.deepEqual(counts.outcomes, { rotated });
    assert.equal(counts.mostInFlight, 1, 'one refresh at a time across the tabs');
    assert.ok(rotated >= CYCLES_PER_TAB && rotated <= TABS * CYCLES_PER_TAB, `${rotated} refreshes for ${TABS * CYCLES_PER_TAB} cycles`);
    t.diagnostic(`${rotated} refreshes on the server for ${TABS * CYCLES_PER_TAB} cycles`);
    await allHold(pages, await run(first, 'held'));

    // A logout in one tab: every other tab drops its tokens and hears "signed out".
    await run(second, 'signOut');
    await allHold(pages, null);
    for (const page of pages) assert.deepEqual(await run(page, 'ended'), page === second ? [] : [{ code: 'SIGNED_OUT', otherTab: true }]);
    assert.deepEqual(errors, []);
  });
});
