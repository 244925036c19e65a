/**
 * A real app to observe, for the exporters' tests (metrics, traces): Fastify with the
 * coatcheck plugin on a SQLite file, bearer tokens, a realtime hub on a loopback port, and
 * `ws` clients. Everything is closed after the test file.
 *
 * @module
 */
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import WebSocket from 'ws';
import { createSessionManager, type SessionManager } from 'coatcheck';
import { sqliteStore, type SqliteStore } from '@coatcheck/sqlite';
import { coatcheck } from '@coatcheck/fastify';
import { createHub, type Hub } from '@coatcheck/realtime';
import { createTokenService, generateKeyFile, type TokenKeyFile, type TokenService } from '@coatcheck/tokens';

const SECRET = 'observed-app-secret-7c1e5a9d3b8f2e6a0c4d8b2f6e1a5c9d';
const quiet = { warn() {}, error() {} };

let keys: TokenKeyFile | undefined;
const dir = mkdtempSync(join(tmpdir(), 'coatcheck-observed-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** The observed app and its parts. */
export interface ObservedApp {
  app: FastifyInstance;
  manager: SessionManager;
  store: SqliteStore;
  tokens: TokenService;
  hub: Hub;
  /** `ws://…/ws` of the hub. */
  wsUrl: string;
  /** Origin of the listening server, for same-origin requests. */
  origin: string;
  /** Moves the clock of the manager and the token service forward. */
  advance(ms: number): void;
}

/** Starts the app on a loopback port; closed after the test file. */
export async function startApp(): Promise<ObservedApp> {
  const store = sqliteStore({ filename: join(dir, `sessions-${files++}.db`), pruneIntervalMs: 0 });
  let t = Date.now();
  const now = () => t;
  // No local cache: the exporters' tests count every store call a request makes.
  const manager = createSessionManager({ store, secrets: [SECRET], logger: quiet, now, cache: false });
  keys ??= await generateKeyFile('EdDSA');
  const tokens = await createTokenService({ manager, keys, refreshSecret: SECRET, logger: quiet, now });
  const app = Fastify();
  await app.register(coatcheck, { manager, bearer: tokens });
  app.post<{ Body: { user: string } }>('/login', async (req) => {
    await req.session.login(req.body.user);
    return { id: req.session.id };
  });
  app.post('/logout', async (req) => {
    await req.session.logout();
    return { ok: true };
  });
  app.post('/regenerate', async (req) => {
    await req.session.regenerate();
    return { id: req.session.id };
  });
  app.post('/cart', async (req) => {
    req.session.update('cart', (cart) => [...((cart as string[] | undefined) ?? []), 'apple']);
    return { ok: true };
  });
  app.get('/me', async (req) => ({ id: req.session.id, userId: req.session.userId }));
  app.delete<{ Params: { id: string } }>('/sessions/:id', async (req) => ({ revoked: await req.session.revokeDevice(req.params.id) }));
  app.post<{ Body: { user: string } }>('/token/login', async (req) => tokens.login(req.session, req.body.user));
  app.post<{ Body: { refresh_token: string } }>('/token/refresh', async (req, reply) => {
    const outcome = await tokens.refresh(req.body.refresh_token);
    return outcome.ok ? outcome.tokens : reply.code(400).send({ error: outcome.code });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  // The hub's Origin allow-list needs the port, known once the server listens.
  const hub = createHub({ manager, origins: [origin], logger: quiet });
  hub.attach(app.server);
  after(async () => {
    await hub.close();
    await app.close();
    await store.close().catch(() => {});
  });
  const advance = (ms: number): void => {
    t += ms;
  };
  return { app, manager, store, tokens, hub, wsUrl: `ws://127.0.0.1:${port}/ws`, origin, advance };
}

/** The `name=value` pair of the first Set-Cookie of a response. */
export function cookieOf(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie'];
  const first = Array.isArray(header) ? header[0] : header;
  if (first === undefined) throw new Error(`no Set-Cookie (status ${res.statusCode}: ${res.body})`);
  return first.split(';')[0] as string;
}

/** Logs `user` in on a fresh visit; returns the cookie and the session's public id. */
export async function login(app: FastifyInstance, user: string): Promise<{ cookie: string; id: string }> {
  const res = await app.inject({ method: 'POST', url: '/login', payload: { user } });
  return { cookie: cookieOf(res), id: res.json().id };
}

/** A `ws` client; resolves once the hub sent `ready`. */
export function openSocket(url: string, headers: Record<string, string>): Promise<WebSocket> {
  const ws = new WebSocket(url, ['coatcheck.v1'], { headers });
  return new Promise((resolve, reject) => {
    ws.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'ready') resolve(ws);
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`handshake refused with ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

/** Resolves with the status of a refused handshake. */
export function refusedSocket(url: string, headers: Record<string, string>): Promise<number> {
  const ws = new WebSocket(url, ['coatcheck.v1'], { headers });
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => reject(new Error('handshake was accepted')));
  });
}

/** Polls until `check` holds; fails after `capMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, capMs = 5000): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > capMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
