// Shared set-up for the plugin's HTTP tests: a real Fastify app, a real store wrapped to
// count calls (a spy, not a mock: every call goes to the store), and a clock tests can move.
import Fastify, { type FastifyInstance } from 'fastify';
import { createSessionManager, type SessionManager, type SessionManagerOptions } from 'coatcheck';
import type { SessionStore } from 'coatcheck/store-kit';
import { memoryStore } from 'coatcheck/memory';
import { coatcheck } from '../src/index.js';

export const SECRET = 'test-secret-7f3a9c1e5b2d8f4a6c0e9b3d7f1a5c8e';

export type Counts = Record<keyof SessionStore, number>;

export function countingStore(inner: SessionStore): SessionStore & { counts: Counts; writes(): number } {
  const counts = {} as Counts;
  const wrapped = { name: inner.name, counts } as SessionStore & { counts: Counts; writes(): number };
  for (const key of ['get', 'create', 'update', 'touch', 'delete', 'listByUser', 'deleteByUser', 'prune', 'ping', 'close'] as const) {
    counts[key] = 0;
    (wrapped as unknown as Record<string, unknown>)[key] = (...args: unknown[]) => {
      counts[key]++;
      return (inner[key] as (...a: unknown[]) => unknown)(...args);
    };
  }
  wrapped.writes = () => counts.create + counts.update + counts.touch + counts.delete + counts.deleteByUser;
  return wrapped;
}

interface Clock {
  now(): number;
  advance(ms: number): void;
}

function createClock(start = Date.UTC(2026, 0, 1)): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export interface TestApp {
  app: FastifyInstance;
  manager: SessionManager;
  store: ReturnType<typeof countingStore>;
  clock: Clock;
}

/** Builds an app with routes that exercise the session API. */
export async function buildTestApp(
  overrides: Partial<SessionManagerOptions> = {},
  store?: SessionStore,
  routes?: (app: FastifyInstance) => void,
): Promise<TestApp> {
  const clock = createClock();
  const counted = countingStore(store ?? memoryStore({ sweepIntervalMs: 0, quiet: true }));
  const manager = createSessionManager({ store: counted, secrets: [SECRET], now: clock.now, production: false, ...overrides });
  const app = Fastify({ trustProxy: true });
  // biome-ignore lint/nursery/noMisusedPromises: Fastify awaits async plugins; register() accepts them
  await app.register(coatcheck, { manager });
  app.get('/public', async () => ({ ok: true }));
  app.get('/me', async (req) => ({ userId: req.session.userId, status: req.session.status, cart: req.session.get('cart') ?? [] }));
  app.post('/cart', async (req) => {
    const item = (req.body as { item?: string } | undefined)?.item ?? 'apple';
    req.session.update('cart', (cart) => [...((cart as string[] | undefined) ?? []), item]);
    return { ok: true };
  });
  app.post('/login', async (req) => {
    const body = (req.body ?? {}) as { user?: string; remember?: boolean };
    await req.session.login(body.user ?? 'alice', { remember: body.remember ?? false });
    return { ok: true };
  });
  app.post('/logout', async (req) => {
    await req.session.logout();
    return { ok: true };
  });
  app.post('/regenerate', async (req) => {
    await req.session.regenerate();
    return { ok: true };
  });
  routes?.(app);
  await app.ready();
  return { app, manager, store: counted, clock };
}

/**
 * Secure requests, as a TLS-terminating proxy would forward them, sent by a page of the same
 * origin (what a browser's fetch says in Fetch Metadata), so they pass the CSRF check.
 */
export const HTTPS = { 'x-forwarded-proto': 'https', 'sec-fetch-site': 'same-origin' } as const;

export function setCookies(headers: Record<string, unknown>): string[] {
  const value = headers['set-cookie'];
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** The `name=value` pair of the single Set-Cookie of a response. */
export function cookiePair(headers: Record<string, unknown>): string {
  const all = setCookies(headers);
  if (all.length !== 1) throw new Error(`expected one Set-Cookie, got ${all.length}: ${all.join(' | ')}`);
  return (all[0] as string).split(';')[0] as string;
}
