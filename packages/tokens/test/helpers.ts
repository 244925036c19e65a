// Shared set-up for the token tests: a real Fastify app with the coatcheck plugin in bearer
// mode, a real memory store, one clock for sessions and tokens, and a forger that builds
// tokens byte by byte (so attacks the library would never produce can be sent).
import { createHmac, randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { createSessionManager, type SessionManager, type SessionManagerOptions } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { coatcheck } from '@coatcheck/fastify';
import { createTokenService, generateKeyFile, type TokenAlgorithm, type TokenKeyFile, type TokenService, type TokenServiceOptions } from '../src/index.js';

export const SECRET = 'token-test-secret-4f8a2c6e0b9d3f7a1c5e9b2d6f0a4c8e';
export const T0 = Date.UTC(2026, 0, 1);

export interface Clock {
  now(): number;
  advance(ms: number): void;
}

export function createClock(start = T0): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export interface TokenApp {
  app: FastifyInstance;
  manager: SessionManager;
  tokens: TokenService;
  keys: TokenKeyFile;
  clock: Clock;
  /** Handler calls of GET /me, to prove a refused request never reached a route. */
  calls: { me: number };
}

const keyFiles = new Map<TokenAlgorithm, TokenKeyFile>();
/** One key file per algorithm per test run (key generation is the slow part). */
export async function keyFileFor(alg: TokenAlgorithm): Promise<TokenKeyFile> {
  let file = keyFiles.get(alg);
  if (!file) keyFiles.set(alg, (file = await generateKeyFile(alg, T0 - 1000)));
  return file;
}

export interface SetupOptions {
  alg?: TokenAlgorithm;
  keys?: TokenKeyFile;
  tokens?: Partial<TokenServiceOptions>;
  manager?: Partial<SessionManagerOptions>;
  clock?: Clock;
}

export async function setup(options: SetupOptions = {}): Promise<TokenApp> {
  const clock = options.clock ?? createClock();
  const keys = options.keys ?? (await keyFileFor(options.alg ?? 'EdDSA'));
  const manager = createSessionManager({
    store: memoryStore({ sweepIntervalMs: 0, quiet: true }),
    secrets: [SECRET],
    now: clock.now,
    production: false,
    ...options.manager,
  });
  const tokens = await createTokenService({ manager, keys, refreshSecret: SECRET, now: clock.now, ...options.tokens });
  const app = Fastify();
  await app.register(coatcheck, { manager, bearer: tokens });
  const calls = { me: 0 };
  app.get('/me', async (req, reply) => {
    calls.me++;
    if (req.session.status !== 'valid') return reply.code(401).send({ error: { code: 'ERR_NOT_AUTHENTICATED', message: 'Log in first.' } });
    return { id: req.session.id, userId: req.session.userId, source: req.sessionSource, cart: req.session.get('cart') ?? [] };
  });
  app.post('/cart', async (req) => {
    req.session.update('cart', (cart) => [...((cart as string[] | undefined) ?? []), 'apple']);
    return { ok: true };
  });
  app.post('/login-cookie', async (req) => {
    await req.session.login('cookie-user');
    return { ok: true };
  });
  await app.ready();
  return { app, manager, tokens, keys, clock, calls };
}

/** GET /me with an Authorization header value. */
export function getMe(app: FastifyInstance, authorization: string, extra: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: '/me', headers: { authorization, ...extra } });
}

export const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A compact token from raw parts: header and payload as objects (or raw strings), any signature. */
export function compact(header: unknown, payload: unknown, signature = ''): string {
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

/** An HMAC-SHA256 token signed with arbitrary key bytes, whatever `alg` the header claims. */
export function hmacToken(header: unknown, payload: unknown, key: Uint8Array | string): string {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

/** Claims the service would issue for a session, at the clock's time. */
export function claimsFor(sid: string, sub: string, clock: Clock, ttl = 900): Record<string, unknown> {
  const iat = Math.floor(clock.now() / 1000);
  return { sub, sid, jti: randomBytes(8).toString('base64url'), iat, exp: iat + ttl };
}

/** The payload of a compact token. */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
}

export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString('utf8'));
}

/** Asserts the RFC 6750 shape of a refusal. */
export function bearerError(res: LightMyRequestResponse): { status: number; error: string | undefined; code: string; setCookie: unknown } {
  const header = String(res.headers['www-authenticate'] ?? '');
  return { status: res.statusCode, error: /error="([a-z_]+)"/.exec(header)?.[1], code: res.json().error?.code, setCookie: res.headers['set-cookie'] };
}
