// With the augmentation and no explicit type, every way of reaching a session is typed by it.
import type { IncomingMessage } from 'node:http';
import Fastify from 'fastify';
import express from 'express';
import { Hono } from 'hono';
import { createSessionManager, type Session, type SessionDataMap, type SessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { coatcheck } from '@coatcheck/fastify';
import { authenticateUpgrade, session as expressSession } from '@coatcheck/express';
import { beginSession, session as honoSession, withSession } from '@coatcheck/hono';
import { createTokenService, type TokenService } from '@coatcheck/tokens';
import { expectType } from './equal.mjs';

const manager = createSessionManager({ store: memoryStore(), secrets: [process.env.SESSION_SECRET!] });
expectType<typeof manager, SessionManager<SessionDataMap>>(true);

export async function core(): Promise<void> {
  const session = await manager.load({ cookie: 'sid=x' });
  expectType<typeof session, Session<SessionDataMap>>(true);
  expectType<ReturnType<typeof session.get<'cart'>>, string[] | undefined>(true);
  expectType<typeof session.data.cart, string[] | undefined>(true);
  session.update('cart', (cart = []) => [...cart, 'apple']);
  session.set('theme', 'dark');
  // @ts-expect-error a cart holds strings
  session.set('cart', [42]);
  // @ts-expect-error not a theme
  session.set('theme', 'blue');
  // @ts-expect-error the update must return a cart
  session.update('cart', () => 7);
  await session.login('alice', { merge: (anonymous) => ({ cart: [...(anonymous.cart ?? []), 'pear'] }) });
  // @ts-expect-error merge returns session data
  await session.login('alice', { merge: () => ({ cart: 'apple' }) });

  const byId = await manager.loadById('id');
  expectType<ReturnType<typeof byId.get<'cart'>>, string[] | undefined>(true);
  const cached = manager.loadCachedById('id');
  expectType<typeof cached, Session<SessionDataMap> | null>(true);
}

export async function fastify(): Promise<void> {
  const app = Fastify();
  await app.register(coatcheck, { manager });
  app.post('/cart', async (req) => {
    expectType<ReturnType<typeof req.session.get<'cart'>>, string[] | undefined>(true);
    // @ts-expect-error a cart holds strings
    req.session.set('cart', [1]);
    return { cart: req.session.get('cart') ?? [] };
  });
}

export function expressApp(incoming: IncomingMessage): void {
  const app = express();
  app.use(expressSession({ manager }));
  app.post('/cart', (req, res) => {
    expectType<ReturnType<typeof req.session.get<'cart'>>, string[] | undefined>(true);
    // @ts-expect-error a cart holds strings
    req.session.set('cart', [1]);
    res.json({ cart: req.session.get('cart') ?? [] });
  });
  void authenticateUpgrade(manager, incoming).then((session) => expectType<typeof session, Session<SessionDataMap> | null>(true));
}

export function hono(request: Request): void {
  const chained = new Hono().use(honoSession({ manager })).post('/cart', (c) => {
    expectType<ReturnType<typeof c.get<'session'>>, Session<SessionDataMap>>(true);
    return c.json({ cart: c.get('session').get('cart') ?? [] });
  });
  void chained;
  // Routes on an app not typed by the middleware read the ContextVariableMap augmentation.
  const plain = new Hono();
  plain.use(honoSession({ manager }));
  plain.get('/me', (c) => {
    const cart = c.get('session').get('cart');
    expectType<typeof cart, string[] | undefined>(true);
    return c.json({ cart });
  });
  void withSession(manager, request, async (session) => {
    expectType<ReturnType<typeof session.get<'cart'>>, string[] | undefined>(true);
    // @ts-expect-error a cart holds strings
    session.set('cart', [1]);
    return Response.json({});
  });
  void beginSession(manager, request).then((tx) => tx instanceof Response || expectType<typeof tx.session, Session<SessionDataMap>>(true));
}

export async function tokens(): Promise<void> {
  const service = await createTokenService({ manager, keys: JSON.parse(process.env.TOKEN_KEYS!), refreshSecret: process.env.SESSION_SECRET! });
  expectType<typeof service, TokenService<SessionDataMap>>(true);
  const session = await manager.loadById(null);
  await service.login(session, 'alice', { merge: (anonymous) => ({ cart: [...(anonymous.cart ?? []), 'pear'] }) });
  // @ts-expect-error merge returns session data
  await service.login(session, 'alice', { merge: () => ({ cart: 'apple' }) });
}
