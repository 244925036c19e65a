// A manager created with an explicit data type keeps it through every adapter.
import type { IncomingMessage } from 'node:http';
import Fastify from 'fastify';
import express from 'express';
import { Hono } from 'hono';
import { createSessionManager, type Session, type SessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { coatcheck, getSession as fastifySession } from '@coatcheck/fastify';
import { authenticateUpgrade, getSession as expressSession, session as expressMiddleware } from '@coatcheck/express';
import { beginSession, session as honoSession, withSession, type SessionVariables } from '@coatcheck/hono';
import { expectType } from './equal.mjs';

interface ShopData {
  basket: number[];
  coupon?: string;
}

const manager = createSessionManager<ShopData>({ store: memoryStore(), secrets: [process.env.SESSION_SECRET!] });
expectType<typeof manager, SessionManager<ShopData>>(true);

export async function core(): Promise<void> {
  const session = await manager.load({});
  expectType<typeof session, Session<ShopData>>(true);
  expectType<ReturnType<typeof session.get<'basket'>>, number[] | undefined>(true);
  // @ts-expect-error 'cart' belongs to the augmentation, not to ShopData
  session.get('cart');
  expectType<Awaited<ReturnType<typeof manager.loadById>>, Session<ShopData>>(true);
  expectType<ReturnType<typeof manager.loadCachedById>, Session<ShopData> | null>(true);
}

export async function fastify(): Promise<void> {
  const app = Fastify();
  await app.register(coatcheck, { manager });
  app.post('/basket', async (req) => {
    const session = fastifySession(req, manager);
    expectType<typeof session, Session<ShopData>>(true);
    session.update('basket', (basket = []) => [...basket, 42]);
    // @ts-expect-error a basket holds numbers
    session.set('basket', ['x']);
    return { ok: true };
  });
}

export function expressApp(incoming: IncomingMessage): void {
  const app = express();
  app.use(expressMiddleware({ manager }));
  app.post('/basket', (req, res) => {
    const session = expressSession(req, manager);
    expectType<typeof session, Session<ShopData>>(true);
    // @ts-expect-error a basket holds numbers
    session.set('basket', ['x']);
    res.json({ ok: true });
  });
  void authenticateUpgrade(manager, incoming).then((session) => expectType<typeof session, Session<ShopData> | null>(true));
}

export function hono(request: Request): void {
  const app = new Hono().use(honoSession({ manager })).post('/basket', (c) => {
    const session = c.get('session');
    expectType<typeof session, Session<ShopData>>(true);
    // @ts-expect-error a basket holds numbers
    session.set('basket', ['x']);
    return c.json({ ok: true });
  });
  void app;
  const typed = new Hono<{ Variables: SessionVariables<ShopData> }>();
  typed.use(honoSession({ manager }));
  typed.get('/basket', (c) => c.json({ basket: c.get('session').get('basket') ?? [] }));
  void withSession(manager, request, async (session) => {
    expectType<typeof session, Session<ShopData>>(true);
    return Response.json({});
  });
  void beginSession(manager, request).then((tx) => tx instanceof Response || expectType<typeof tx.session, Session<ShopData>>(true));
}
