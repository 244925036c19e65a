// Shared set-up for the browser tests: Debian's chromium driven by playwright-core, and the
// real shop (built page included) listening on a free port, on its own SQLite file.
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteDatabase } from '@coatcheck/sqlite';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type LaunchOptions, type Page, type WebSocket } from 'playwright-core';
import type { SessionLimitOptions } from 'coatcheck';
import type { SessionBus } from 'coatcheck/bus';
import type { SessionStore } from 'coatcheck/store-kit';
import { sqliteStore } from '@coatcheck/sqlite';
import { buildApp } from '../../src/app.js';
import { countSqliteSessions } from '../../src/backends.js';
import type { ShopLifetimes } from '../../src/lifetimes.js';
import { WEB_DIST } from '../../src/routes/web.js';
import { ensureWebBuilt } from '../../src/web-build.js';
import { TEST_HASHING } from '../test-hashing.js';

/** Debian's package; never a browser downloaded by `playwright install`. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where screenshots go (gitignored): test-artifacts/ at the repository root. */
const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/', import.meta.url));

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function launchOptions(extraArgs: readonly string[] = []): LaunchOptions {
  // Fail, never skip: a CI without chromium must go red.
  if (!existsSync(CHROMIUM))
    throw new Error(
      `chromium not found at ${CHROMIUM}: \`npm test\` installs it when it may (scripts/ensure-test-tools.mjs), otherwise run \`sudo apt-get update && sudo apt-get install -y chromium\`.`,
    );
  return { executablePath: CHROMIUM, headless: true, args: [...ARGS, ...extraArgs] };
}

/** Every wait in these tests is for something the page does in well under a second. */
const ACTION_TIMEOUT_MS = 10_000;
/** Per test: a browser test that hangs fails instead of holding up the suite. */
export const TEST_TIMEOUT_MS = 120_000;

/** Launches chromium; closed after the test file. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({ ...launchOptions(), timeout: 60_000 });
  after(() => browser.close());
  return browser;
}

/** A page in a fresh browser context (its own cookie jar, like another device). */
export async function newDevicePage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, ...options });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  return context.newPage();
}

/** Options of {@link launchProfile}. */
export interface ProfileOptions {
  /** More chromium command-line switches. @default [] */
  args?: readonly string[];
  /** Accept the test's self-signed certificates. @default false */
  ignoreHTTPSErrors?: boolean;
}

/** Launches chromium with a profile directory, like a person's browser that is closed and reopened. */
export async function launchProfile(userDataDir: string, { args = [], ignoreHTTPSErrors = false }: ProfileOptions = {}): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    ...launchOptions(args),
    ignoreHTTPSErrors,
    timeout: 60_000,
    viewport: { width: 1100, height: 760 },
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  return context;
}

/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // A browser profile may still be written to for a moment after chromium is closed (ENOTEMPTY):
  // the removal tries again rather than failing the file.
  after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
  return dir;
}

/** A port that was free a moment ago (the page's origin must be known before the app is built). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningShop {
  url: string;
  /** Moves the shop's clock forward (it otherwise follows real time, so cookie dates stay real). */
  advance(ms: number): void;
  /** Stops the server (sockets get 1001) and starts a new one on the same port, store and secret. */
  restart(): Promise<void>;
  /** Live sessions in the store, by the shop's clock (the SQLite file only: throws with {@link StartShopOptions.sessionBackend}). */
  sessions(): number;
}

/** Options of {@link startShop}. */
export interface StartShopOptions {
  /**
   * The host name the browser uses for the shop. It always listens on 127.0.0.1; `localhost`
   * reaches it too (chromium resolves it without DNS, `/etc/hosts` does for Node), and leaves
   * `127.0.0.1` free to play another site: cookies ignore ports, so two ports of one host
   * name are one site. @default '127.0.0.1'
   */
  hostname?: '127.0.0.1' | 'localhost';
  /** Origins of pages served elsewhere allowed to call the API (`CORS_ORIGINS`). @default [] */
  corsOrigins?: readonly string[];
  /** Told of every response the shop sends, preflights and refusals included. */
  onResponse?: (response: SeenResponse) => void;
  /** Session and token lifetimes, in seconds (`readConfig(env).lifetimes` reads them as `main.ts` does). @default the shop's */
  lifetimes?: Partial<ShopLifetimes>;
  /**
   * Sessions in another store with its bus (Redis, Postgres), as `REDIS_URL` or
   * `DATABASE_URL` would give them, instead of the SQLite file: what other processes (a
   * second instance, the `coatcheck` command) can reach. The caller closes both.
   * @default the SQLite file, no bus
   */
  sessionBackend?: { readonly store: SessionStore; readonly bus: SessionBus };
  /** Orders above this total (cents) need a fresh login (`STEP_UP_CHECKOUT_ABOVE`). @default the shop's */
  stepUpCheckoutAbove?: number | null;
  /** Devices per account (`MAX_DEVICES`, `MAX_DEVICES_POLICY`); the store must have `createCapped`. @default the shop's */
  deviceCap?: SessionLimitOptions | null;
}

/** A response the shop sent, as {@link StartShopOptions.onResponse} reports it. */
export interface SeenResponse {
  method: string;
  /** The path and query. */
  url: string;
  status: number;
  /** The request's `Origin` header. */
  origin: string | undefined;
}

/**
 * Builds the page if needed and starts the shop on 127.0.0.1 with a free port, its live
 * channel open to the page's origin (as `main.ts` allows `http://127.0.0.1:<port>` and
 * `http://localhost:<port>`).
 */
export async function startShop({
  hostname = '127.0.0.1',
  corsOrigins = [],
  onResponse,
  lifetimes = {},
  sessionBackend,
  stepUpCheckoutAbove,
  deviceCap,
}: StartShopOptions = {}): Promise<RunningShop> {
  await ensureWebBuilt();
  const dir = tempDir('coatcheck-browser-');
  const db = openSqliteDatabase({ filename: join(dir, 'shop.sqlite') });
  // The users stay in the SQLite file either way; only the sessions move.
  const ownStore = sessionBackend ? null : sqliteStore({ database: db, pruneIntervalMs: 0 });
  const store = sessionBackend?.store ?? (ownStore as SessionStore);
  const bus = sessionBackend?.bus ?? null;
  let offset = 0;
  const now = () => Date.now() + offset;
  const port = await freePort();
  const origin = `http://${hostname}:${port}`;
  const secrets = [randomBytes(32).toString('base64url')];
  const serve = async () => {
    const app = buildApp({
      store,
      bus,
      db,
      secrets,
      now,
      web: WEB_DIST,
      realtime: { origins: [origin] },
      corsOrigins,
      lifetimes,
      passwordHashing: TEST_HASHING,
      ...(stepUpCheckoutAbove === undefined ? {} : { stepUpCheckoutAbove }),
      ...(deviceCap === undefined ? {} : { deviceCap }),
    });
    if (onResponse) {
      app.addHook('onResponse', (request, reply, done) => {
        onResponse({ method: request.method, url: request.url, status: reply.statusCode, origin: request.headers.origin });
        done();
      });
    }
    await app.listen({ port, host: '127.0.0.1' });
    return app;
  };
  const stop = async (app: Awaited<ReturnType<typeof serve>>) => {
    // The browser may still hold keep-alive connections: drop them so closing cannot wait.
    app.server.closeAllConnections();
    await app.close();
  };
  let app = await serve();
  after(async () => {
    await stop(app);
    await ownStore?.close();
    db.close();
  });
  return {
    url: origin,
    advance: (ms) => void (offset += ms),
    sessions: ownStore
      ? countSqliteSessions(db, now)
      : () => {
          throw new Error('sessions() counts the SQLite file; ask the store given as sessionBackend instead');
        },
    async restart() {
      await stop(app);
      app = await serve();
    },
  };
}

/** A page with a desktop-sized viewport. */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await newDevicePage(browser);
  await page.goto(url);
  return page;
}

/** Creates an account over the API (not through the page); resolves with the user's id. */
export async function registerUser(shop: RunningShop, username: string): Promise<string> {
  const res = await fetch(`${shop.url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
    signal: AbortSignal.timeout(ACTION_TIMEOUT_MS),
  });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status}`);
  return ((await res.json()) as { id: string }).id;
}

/** Saves a screenshot under test-artifacts/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export const PASSWORD = 'correct horse battery staple';

/** Registers through the page (the account form), optionally with "remember me". */
export async function registerAndLogIn(page: Page, username: string, { remember = false } = {}): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: 'Log in', exact: true }).click();
  await page.getByRole('button', { name: 'Create one' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  if (remember) await page.getByLabel('Remember me on this device').check();
  await page.getByRole('button', { name: 'Create account and log in' }).click();
  await page.getByTestId('who').getByText(username).waitFor();
}

/** Logs in through the page. */
export async function logIn(page: Page, username: string, { remember = false } = {}): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: 'Log in', exact: true }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  if (remember) await page.getByLabel('Remember me on this device').check();
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByTestId('who').getByText(username).waitFor();
}

/**
 * Resolves with the page's live socket (to `/ws`) once it receives a frame containing
 * `fragment`, within 10 s. Call before the action that causes it, so it cannot be missed.
 */
export function liveFrame(page: Page, fragment: string): Promise<WebSocket> {
  return new Promise<WebSocket>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${fragment} frame on the page's live socket within 10 s`)), ACTION_TIMEOUT_MS);
    page.on('websocket', (socket) => {
      if (new URL(socket.url()).pathname !== '/ws') return;
      socket.on('framereceived', ({ payload }) => {
        if (typeof payload === 'string' && payload.includes(fragment)) {
          clearTimeout(timer);
          resolve(socket);
        }
      });
    });
  });
}

/** Resolves once the page's live socket has been accepted (the hub's `ready` frame). */
export const liveSocketReady = (page: Page): Promise<WebSocket> => liveFrame(page, '"type":"ready"');
