// An SPA on its own origin that uses our browser SDK, @coatcheck/client, against the shop: the
// package bundled by esbuild into one ES module, served with a small page at
// http://localhost:<port> while the shop is at http://127.0.0.1:<port>. The page logs in for a
// bearer token, calls the API through `createBearerFetch`, and opens `/ws` through
// `createRealtimeClient` with the token as its subprotocol. For the refreshes the shop runs with
// ACCESS_TOKEN_TTL=1m and its clock is moved past the token's expiry (and any clock
// tolerance), so the token expires on the server while the page's clock knows nothing of it:
// no test waits for real time to pass.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { readConfig } from '../../src/config.js';
import { launchBrowser, newDevicePage, PASSWORD, registerUser, type RunningShop, TEST_TIMEOUT_MS } from './browser-helpers.js';
import { bundleClient, type SpaFile, startSpaAndShop } from './spa-origin.js';

/** `ACCESS_TOKEN_TTL=1m`, read as `main.ts` reads the environment. */
const LIFETIMES = readConfig({ ACCESS_TOKEN_TTL: '1m' }).lifetimes;
/** Past the access token's expiry and the largest clock tolerance the token library allows (60 s). */
const PAST_EXPIRY_MS = (LIFETIMES.accessTokenTtl + 61) * 1000;
const CLIENT = await bundleClient();

// The SPA: every action returns what the page saw, a status and body, or the error fetch threw.
const MAIN_JS = (apiBase: string) => `import { createBearerFetch, createRealtimeClient, memoryTokenStorage } from '@coatcheck/client';
const API = ${JSON.stringify(apiBase)};
const storage = memoryTokenStorage();
const ended = [];
const socket = { states: [], closes: [], messages: [] };
const status = (text) => { document.getElementById('status').textContent = text; };
const auth = createBearerFetch({
  refreshUrl: API + '/token/refresh',
  storage,
  onSessionEnded: ({ code }) => { ended.push(code); status('signed out'); },
});
const outcome = async (pending) => {
  try {
    const response = await pending;
    return { status: response.status, body: await response.json().catch(() => null) };
  } catch (error) {
    return { error: String(error) };
  }
};
const json = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
let live = null;
window.spa = {
  async logIn(username, password) {
    const result = await outcome(fetch(API + '/token', json({ username, password })));
    if (result.status !== 200) return result;
    await auth.setTokens(result.body);
    status('signed in');
    return { status: result.status };
  },
  useTokens: (tokens) => auth.setTokens(tokens),
  call: (path) => outcome(auth.fetch(API + path)),
  post: (path, body) => outcome(auth.fetch(API + path, json(body))),
  callAll: (paths) => Promise.all(paths.map((path) => outcome(auth.fetch(API + path)))),
  refresh: () => auth.refresh(),
  logOut: () => outcome(auth.fetch(API + '/logout', { method: 'POST' })),
  revoke: () => outcome(fetch(API + '/token/revoke', json({ token: storage.load().refreshToken }))),
  holdsTokens: () => storage.load() !== null,
  ended: () => ended,
  connect(maxAttempts) {
    live = createRealtimeClient({
      url: API.replace(/^http/, 'ws') + '/ws',
      token: () => auth.accessToken(),
      maxAttempts,
      minDelayMs: 50,
      maxDelayMs: 200,
      onStateChange: (state) => socket.states.push(state),
      onClose: (event) => socket.closes.push(event),
      onMessage: (message) => socket.messages.push(message.data),
    });
  },
  socketState: () => live.state,
  socket: () => socket,
};
status('ready');`;

const files = (apiBase: string): Record<string, SpaFile> => ({
  '/': [
    'text/html; charset=utf-8',
    `<!doctype html><meta charset="utf-8"><title>bearer SPA</title>
<script type="importmap">{ "imports": { "@coatcheck/client": "/client.js" } }</script>
<p id="status">loading</p>
<script type="module" src="/main.js"></script>`,
  ],
  '/main.js': ['text/javascript', MAIN_JS(apiBase)],
  '/client.js': ['text/javascript', CLIENT],
});

/** What an action in the page returns. */
interface Outcome {
  status?: number;
  body?: { error?: { code?: string }; message?: string; current_user_id?: string } | null;
  error?: string;
}
interface SocketLog {
  states: string[];
  closes: Array<{ code: number; reason: string; willReconnect: boolean }>;
  messages: unknown[];
}
/** The page's `window.spa`. */
interface Spa {
  logIn(username: string, password: string): Promise<Outcome>;
  useTokens(tokens: unknown): Promise<void>;
  call(path: string): Promise<Outcome>;
  post(path: string, body: unknown): Promise<Outcome>;
  callAll(paths: string[]): Promise<Outcome[]>;
  refresh(): Promise<boolean>;
  logOut(): Promise<Outcome>;
  revoke(): Promise<Outcome>;
  holdsTokens(): boolean;
  ended(): string[];
  connect(maxAttempts?: number): void;
  socketState(): string;
  socket(): SocketLog;
}

/** Runs `spa[method](...args)` in the page. (The function is serialized: no named closures in it.) */
function run<K extends keyof Spa>(page: Page, method: K, ...args: Parameters<Spa[K]>): Promise<Awaited<ReturnType<Spa[K]>>> {
  return page.evaluate(([name, list]) => (globalThis as unknown as { spa: Record<string, (...values: unknown[]) => unknown> }).spa[name]?.(...list), [
    method,
    args as unknown[],
  ] as const) as Promise<Awaited<ReturnType<Spa[K]>>>;
}

/** An API request the page sent, as chromium reports it (preflights are not reported). */
interface Sent {
  method: string;
  path: string;
  authorization: string | null;
  cookie: string | null;
}

/** Opens the SPA in a fresh browser and records the requests it sends to the shop. */
async function openSpa(origin: string, shop: RunningShop) {
  const page = await newDevicePage(await launchBrowser());
  const errors: string[] = [];
  page.on('pageerror', (error) => void errors.push(error.message));
  const sent: Sent[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(shop.url)) return;
    const headers = request.headers();
    sent.push({
      method: request.method(),
      path: new URL(request.url()).pathname,
      authorization: headers.authorization ?? null,
      cookie: headers.cookie ?? null,
    });
  });
  await page.goto(`${origin}/`);
  await page.locator('#status').getByText('ready').waitFor();
  return { page, errors, sent };
}

/** Waits for the page's socket to reach `state`; says what it went through when it does not. */
async function socketReaches(page: Page, state: string): Promise<void> {
  try {
    await page.waitForFunction((wanted) => (globalThis as unknown as { spa: Spa }).spa.socketState() === wanted, state);
  } catch (error) {
    throw new Error(`the socket never got ${state}: ${JSON.stringify(await run(page, 'socket'))}`, { cause: error });
  }
}

/** Resolves once `check()` holds, or after 10 s (the assertions that follow then say what went wrong). */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

const statuses = (outcomes: Outcome[]) => outcomes.map((outcome) => outcome.status ?? outcome.error);

describe('browser: an SPA on another origin with @coatcheck/client', { timeout: TEST_TIMEOUT_MS }, () => {
  it('RT-04 CO-03 logs in, refreshes an expired access token transparently, once for parallel calls, and is signed out by logout', async () => {
    const { spa, shop, seen } = await startSpaAndShop(files, (origin) => [origin], { lifetimes: LIFETIMES });
    await registerUser(shop, 'uma');
    const { page, errors, sent } = await openSpa(spa.origin, shop);
    const pageFrom = seen.length;
    const refreshes = () => seen.filter(({ method, url }) => method === 'POST' && url === '/token/refresh');
    let held = Promise.resolve();
    await page.route(`${shop.url}/token/refresh`, async (route) => {
      await held;
      await route.continue();
    });

    assert.deepEqual(await run(page, 'logIn', 'uma', PASSWORD), { status: 200 });
    await page.locator('#status').getByText('signed in').waitFor();
    assert.deepEqual(await run(page, 'call', '/protected'), { status: 200, body: { message: 'Welcome, uma' } });
    assert.equal(refreshes().length, 0);

    // Expired on the server: the call is answered 401 ERR_TOKEN_EXPIRED, the client refreshes
    // and retries, and the page sees only the 200.
    shop.advance(PAST_EXPIRY_MS);
    let from = seen.length;
    assert.deepEqual(await run(page, 'call', '/protected'), { status: 200, body: { message: 'Welcome, uma' } });
    assert.deepEqual(
      seen.slice(from).flatMap(({ method, url, status }) => (method === 'OPTIONS' ? [] : [`${status} ${method} ${url}`])),
      ['401 GET /protected', '200 POST /token/refresh', '200 GET /protected'],
    );

    // Expired again, five calls at once: five 401s, one refresh, five retries with the new token.
    // The browser holds the refresh until the shop has refused all five, so each of them meets
    // the refresh in flight, in whatever order the answers come back.
    shop.advance(PAST_EXPIRY_MS);
    from = seen.length;
    const sentFrom = sent.length;
    held = until(() => seen.slice(from).filter(({ status }) => status === 401).length >= 5);
    const paths = ['/protected', '/user/me', '/anonymous-data', '/protected', '/user/me'];
    const outcomes = await run(page, 'callAll', paths);
    assert.deepEqual(statuses(outcomes), [200, 200, 200, 200, 200], JSON.stringify(outcomes));
    assert.equal(refreshes().length, 2, 'one refresh for the five calls');
    const answered = seen.slice(from).filter(({ method }) => method !== 'OPTIONS');
    assert.equal(answered.filter(({ status }) => status === 401).length, 5, JSON.stringify(answered));
    // The token of the previous retry (now expired) went out five times, the refreshed one five times.
    const expired = sent[sentFrom - 1]?.authorization;
    assert.match(String(expired), /^Bearer /);
    const used = new Map<string | null, number>();
    for (const { path, authorization } of sent.slice(sentFrom)) if (path !== '/token/refresh') used.set(authorization, (used.get(authorization) ?? 0) + 1);
    assert.equal(used.get(expired ?? null), 5, 'the first attempts');
    assert.deepEqual([...used.values()], [5, 5], 'the retries, all with one new token');
    assert.deepEqual(
      sent.filter(({ method, path }) => method === 'POST' && path === '/token/refresh').map(({ authorization }) => authorization),
      [null, null],
      'chromium saw the same two refreshes, with the refresh token in the body only',
    );

    // Logout through the client ends the session: the next call is refused and the client
    // reports the end once, forgets the tokens and never tries to refresh.
    assert.deepEqual(await run(page, 'logOut'), { status: 200, body: { ok: true } });
    const refused = await run(page, 'call', '/protected');
    assert.equal(refused.status, 401);
    assert.equal(refused.body?.error?.code, 'ERR_TOKEN_SESSION_ENDED');
    await page.locator('#status').getByText('signed out').waitFor();
    assert.deepEqual(await run(page, 'ended'), ['ERR_TOKEN_SESSION_ENDED']);
    assert.equal(await run(page, 'holdsTokens'), false);
    assert.equal((await run(page, 'call', '/user/me')).status, 401);
    assert.equal(refreshes().length, 2, 'no refresh after the end');
    assert.deepEqual(await run(page, 'ended'), ['ERR_TOKEN_SESSION_ENDED'], 'told once');
    assert.equal(shop.sessions(), 0);

    // Across origins and without cookies: every request came from the page, none with a cookie.
    for (const { origin } of seen.slice(pageFrom)) assert.equal(origin, spa.origin);
    assert.deepEqual(
      sent.filter(({ cookie }) => cookie !== null),
      [],
    );
    assert.deepEqual(errors, []);
  });

  it('WS-04 CO-03 opens the live socket with its bearer token; revoking the refresh token closes it with 4401 for good and signs the client out', async () => {
    const { spa, shop } = await startSpaAndShop(files, (origin) => [origin]);
    await registerUser(shop, 'vic');
    const { page, errors } = await openSpa(spa.origin, shop);
    assert.deepEqual(await run(page, 'logIn', 'vic', PASSWORD), { status: 200 });

    await run(page, 'connect');
    await socketReaches(page, 'open');
    // The hub knows whose socket it is: a cart change (a POST through the client) is pushed to it.
    assert.equal((await run(page, 'post', '/cart/add', { item_id: 1 })).status, 200);
    await page.waitForFunction(() => (globalThis as unknown as { spa: Spa }).spa.socket().messages.length > 0);
    assert.deepEqual((await run(page, 'socket')).messages, [{ kind: 'cart', cart: [{ item_id: 1, quantity: 1 }] }]);

    assert.deepEqual(await run(page, 'revoke'), { status: 200, body: { ok: true } });
    await socketReaches(page, 'closed');
    const { states, closes } = await run(page, 'socket');
    assert.deepEqual(closes, [{ code: 4401, reason: 'logout', willReconnect: false }]);
    assert.deepEqual(states, ['open', 'closed'], 'no reconnection');
    const refused = await run(page, 'call', '/user/me');
    assert.equal(refused.body?.error?.code, 'ERR_TOKEN_SESSION_ENDED');
    assert.deepEqual(await run(page, 'ended'), ['ERR_TOKEN_SESSION_ENDED']);
    await page.locator('#status').getByText('signed out').waitFor();
    assert.deepEqual(errors, []);
  });

  it('CO-02 CO-03 not listed in CORS_ORIGINS, its requests fail with network errors: no login, no session, no refresh, no socket', async () => {
    // Listed under the other host name: origins match exactly, so this page is not.
    const { spa, shop, seen } = await startSpaAndShop(files, (origin) => [origin.replace('localhost', '127.0.0.1')]);
    await registerUser(shop, 'wes');
    const { page, errors, sent } = await openSpa(spa.origin, shop);
    const pageFrom = seen.length;
    const answered = () => seen.slice(pageFrom).map(({ method, url, status }) => `${status} ${method} ${url}`);

    assert.deepEqual(await run(page, 'logIn', 'wes', PASSWORD), { error: 'TypeError: Failed to fetch' });
    assert.deepEqual(answered(), ['403 OPTIONS /token'], 'the preflight was refused, so the login was never sent');
    assert.equal(shop.sessions(), 0);

    // Tokens from elsewhere do not help: the page cannot call with them, nor refresh them.
    const login = await fetch(`${shop.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'wes', password: PASSWORD }),
    });
    assert.equal(login.status, 200);
    const tokens = (await login.json()) as { refresh_token: string };
    await run(page, 'useTokens', tokens);
    const from = seen.length;
    assert.deepEqual(await run(page, 'call', '/protected'), { error: 'TypeError: Failed to fetch' });
    assert.equal(await run(page, 'refresh'), false);
    assert.deepEqual(
      seen.slice(from).map(({ method, url, status }) => `${status} ${method} ${url}`),
      ['403 OPTIONS /protected', '403 OPTIONS /token/refresh'],
    );
    assert.deepEqual(await run(page, 'ended'), [], 'a network error is not the end of the session');
    assert.equal(await run(page, 'holdsTokens'), true);

    // The socket, with that valid token in its subprotocol, is refused for the page's origin.
    await run(page, 'connect', 2);
    await socketReaches(page, 'closed');
    const { states, closes } = await run(page, 'socket');
    assert.ok(!states.includes('open'), JSON.stringify(states));
    assert.deepEqual(
      closes.map(({ code, willReconnect }) => [code, willReconnect]),
      [
        [1006, true],
        [1006, false],
      ],
    );

    // The refresh token was never spent: past the shop's 10 s grace window, where a second use
    // would end the session, its owner can still use it.
    shop.advance(11_000);
    const refreshed = await fetch(`${shop.url}/token/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: tokens.refresh_token }),
    });
    assert.equal(refreshed.status, 200);

    assert.deepEqual(
      sent.map(({ method, path }) => `${method} ${path}`),
      ['POST /token', 'GET /protected', 'POST /token/refresh'],
      'chromium tried these, and the preflights stopped each',
    );
    assert.deepEqual(errors, []);
  });
});
