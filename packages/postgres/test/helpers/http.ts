// A real Fastify app with the coatcheck plugin on a given store, for the HTTP-level outage
// tests. Requests are injected as if forwarded by a TLS-terminating proxy.
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { createSessionManager, type SessionManagerOptions } from 'coatcheck';
import type { SessionStore } from 'coatcheck/store-kit';
import { coatcheck } from '@coatcheck/fastify';

const SECRET = 'pg-test-secret-3c9e1a7f5b2d8e4a6c0f9b3d';
// Sec-Fetch-Site: what a browser's fetch from the app's own page sends; the CSRF check
// refuses cookie-carrying POSTs without it (or an Origin, or the token).
export const HTTPS = { 'x-forwarded-proto': 'https', 'sec-fetch-site': 'same-origin' } as const;

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** An app with `/login`, `/logout`, `/cart` (POST) and `/me` (GET). */
export async function buildApp(store: SessionStore, extra: Partial<SessionManagerOptions> = {}): Promise<FastifyInstance> {
  const manager = createSessionManager({ store, secrets: [SECRET], production: false, logger: silent, ...extra });
  const app = Fastify({ trustProxy: true });
  await app.register(coatcheck, { manager });
  app.post('/login', async (req) => {
    await req.session.login('alice');
    return { ok: true };
  });
  app.post('/logout', async (req) => {
    await req.session.logout();
    return { ok: true };
  });
  app.get('/me', async (req) => ({ userId: req.session.userId }));
  app.post('/cart', async (req) => {
    req.session.update('cart', (cart) => [...((cart as string[] | undefined) ?? []), 'apple']);
    return { ok: true };
  });
  await app.ready();
  return app;
}

/** Logs in and returns the `name=value` of the session cookie. */
export async function login(app: FastifyInstance): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/login', headers: HTTPS });
  assert.equal(res.statusCode, 200, res.body);
  const cookie = res.headers['set-cookie'];
  const first = Array.isArray(cookie) ? cookie[0] : cookie;
  assert.ok(first, 'login sets a cookie');
  return first.split(';')[0] as string;
}

/** Asserts the fail-closed answer: 503, the store code, and no Set-Cookie (SF-06). */
export function assertOutage(res: LightMyRequestResponse): void {
  assert.equal(res.statusCode, 503, res.body);
  assert.equal(res.json().error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
  assert.equal(res.headers['set-cookie'], undefined, 'an outage never replaces or clears the cookie');
}

/** Asserts the user is still logged in with the same cookie, and no new cookie is issued. */
export async function assertStillAlice(app: FastifyInstance, cookie: string): Promise<void> {
  const res = await app.inject({ method: 'GET', url: '/me', headers: { ...HTTPS, cookie } });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().userId, 'alice');
}
