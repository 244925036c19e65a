// Shared set-up for the shop's HTTP tests: the real app on a real SQLite file in a temp
// directory, a clock tests can move, and a tiny cookie jar per simulated browser.
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase, type SqliteConnection } from '@coatcheck/sqlite';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { sqliteStore, type SqliteStore } from '@coatcheck/sqlite';
import { buildApp, type AppOptions } from '../src/app.js';
import { TEST_HASHING } from './test-hashing.js';

/** A fresh directory for the calling test file, removed when its tests end. */
export function useTempDir(): (name: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'coatcheck-shop-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return (name) => join(dir, name);
}

export interface Clock {
  now(): number;
  advance(ms: number): void;
}

export function createClock(start = Date.UTC(2026, 0, 1)): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export interface Shop {
  app: FastifyInstance;
  store: SqliteStore;
  db: SqliteConnection;
  file: string;
  clock: Clock;
}

export interface ShopOptions {
  /** Extra routes inside the session scope. */
  routes?: (scope: FastifyInstance) => void;
  /** @default 'wal' (what main.ts uses) */
  journalMode?: 'wal' | 'delete';
  /** @default 5000 */
  busyTimeoutMs?: number;
  /** More options of `buildApp`; `activeSessions` gets the database once it exists. */
  app?: Partial<Omit<AppOptions, 'activeSessions'>> & { activeSessions?: (db: SqliteConnection, now: () => number) => () => number };
}

const path = useTempDir();
let files = 0;

/** Builds the real app on its own SQLite file; everything is closed after the test file. */
export async function createShop(options: ShopOptions = {}): Promise<Shop> {
  const file = path(`shop-${files++}.sqlite`);
  const db = openSqliteDatabase({ filename: file });
  db.exec(`PRAGMA journal_mode = ${options.journalMode ?? 'wal'}`);
  const store = sqliteStore({ database: db, pruneIntervalMs: 0, busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
  const clock = createClock();
  const secret = randomBytes(32).toString('base64url');
  const { activeSessions, ...extra } = options.app ?? {};
  const app = buildApp({
    store,
    db,
    secrets: [secret],
    now: clock.now,
    passwordHashing: TEST_HASHING,
    // Throttled answers at once: the clock is injected, and waiting is moving it.
    throttleHoldMs: 0,
    ...(options.routes ? { routes: options.routes } : {}),
    ...extra,
    ...(activeSessions ? { activeSessions: activeSessions(db, clock.now) } : {}),
  });
  after(async () => {
    await app.close();
    await store.close();
    if (db.isOpen) db.close();
  });
  await app.ready();
  return { app, store, db, file, clock };
}

export function setCookies(res: LightMyRequestResponse): string[] {
  const value = res.headers['set-cookie'];
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** The public id of the ticket in a `name=value` cookie pair (the part before the first dot). */
export function ticketId(cookie: string): string {
  return (cookie.split('=')[1] ?? '').split('.')[0] ?? '';
}

/** One simulated browser: remembers the session cookie like a browser would. */
export interface Browser {
  /** `name=value` of the session cookie, or `null`. */
  cookie: string | null;
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
}

export function createBrowser(app: FastifyInstance, userAgent = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0'): Browser {
  const browser: Browser = {
    cookie: null,
    async request(options) {
      // What a browser's fetch from the shop's own page sends; CSRF protection lets unsafe
      // requests with the session cookie through only with it (or a matching Origin).
      const headers = { 'user-agent': userAgent, 'sec-fetch-site': 'same-origin', ...(browser.cookie ? { cookie: browser.cookie } : {}), ...options.headers };
      const res = await app.inject({ ...options, headers });
      for (const line of setCookies(res)) {
        const pair = line.split(';')[0] ?? '';
        const cleared = pair.endsWith('=') || /;\s*max-age=0(;|$)/i.test(line);
        browser.cookie = cleared ? null : pair;
      }
      return res;
    },
    get: (url) => browser.request({ method: 'GET', url }),
    post: (url, payload) => browser.request({ method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }) }),
    delete: (url) => browser.request({ method: 'DELETE', url }),
  };
  return browser;
}

export const PASSWORD = 'correct horse battery staple';

/** Registers a user (through the API) and logs a fresh browser in as them. */
export async function loggedIn(app: FastifyInstance, username: string, userAgent?: string): Promise<Browser> {
  const browser = createBrowser(app, userAgent);
  const register = await browser.post('/register', { username, password: PASSWORD });
  if (register.statusCode !== 201 && register.statusCode !== 409) throw new Error(`register: ${register.statusCode} ${register.body}`);
  const login = await browser.post('/login', { username, password: PASSWORD });
  if (login.statusCode !== 200) throw new Error(`login: ${login.statusCode} ${login.body}`);
  return browser;
}
