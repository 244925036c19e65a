// A token API on loopback for the client's tests: a real Fastify app with @coatcheck/tokens
// and a realtime hub, on a clock the test moves.
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { coatcheck } from '@coatcheck/fastify';
import { createTokenService, generateKeyFile } from '@coatcheck/tokens';
import { createHub } from '@coatcheck/realtime';

const SECRET = randomBytes(32).toString('base64url');
const quiet = { warn: () => {}, error: () => {} };
const keys = generateKeyFile('EdDSA', Date.now() - 1000);

/** A token API on loopback: /login, /token/refresh (counted), /me, /echo, and /ws. */
export async function tokenServer(hubOptions: { tokenGraceMs?: number } = {}) {
  let t = Date.now();
  const clock = { now: () => t, advance: (ms: number) => void (t += ms) };
  const manager = createSessionManager({
    store: memoryStore({ sweepIntervalMs: 0, quiet: true, now: clock.now }),
    secrets: [SECRET],
    now: clock.now,
    production: false,
  });
  // No grace: a replayed refresh token ends the session at once.
  const tokens = await createTokenService({ manager, keys: await keys, refreshSecret: SECRET, now: clock.now, refresh: { graceSeconds: 0 }, logger: quiet });
  const seen = { refreshes: 0, reuses: 0, authorization: [] as (string | undefined)[], socketTokens: [] as string[], urls: [] as string[] };
  tokens.events.on('refresh-reuse', () => void seen.reuses++);
  const app = Fastify();
  app.addHook('onRequest', async (request) => void seen.urls.push(request.url));
  await app.register(coatcheck, { manager, bearer: tokens });
  app.post('/login', async () => tokens.login(await manager.loadById(null), 'user-1'));
  app.post<{ Body: { refresh_token?: unknown } }>('/token/refresh', async (request, reply) => {
    seen.refreshes++;
    const outcome = await tokens.refresh(request.body?.refresh_token);
    if (!outcome.ok) return reply.code(401).send({ error: { code: outcome.code, message: outcome.message } });
    return outcome.tokens;
  });
  app.get('/me', async (request, reply) => {
    seen.authorization.push(request.headers.authorization);
    if (request.session.userId === null) return reply.code(401).send({ error: { code: 'ERR_NOT_AUTHENTICATED' } });
    return { userId: request.session.userId };
  });
  app.post('/echo', async (request) => ({ body: request.body, userId: request.session.userId }));
  const hub = createHub({
    manager,
    origins: [],
    logger: quiet,
    ...hubOptions,
    verifyBearer: async (token) => {
      seen.socketTokens.push(token);
      return tokens.verifyForSocket(token);
    },
  });
  hub.attach(app.server);
  app.addHook('preClose', () => hub.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  after(() => app.close());
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const login = async () =>
    (await (await fetch(`${base}/login`, { method: 'POST' })).json()) as { access_token: string; refresh_token: string; expires_in: number };
  return { app, hub, tokens, clock, seen, base, login, ws: `${base.replace('http', 'ws')}/ws` };
}
