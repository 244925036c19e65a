// A manager given data.schema is typed by it: each key's output type (zod, valibot), or the
// whole-data schema's output; everything that hands out its sessions follows.
import Fastify from 'fastify';
import * as v from 'valibot';
import { z } from 'zod';
import { createSessionManager, type InferSessionData, type Session, type SessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { coatcheck, getSession } from '@coatcheck/fastify';
import { withSession } from '@coatcheck/hono';
import { expectType } from './equal.mjs';

const Item = z.object({ sku: z.string(), qty: z.number().int() });
type Item = z.infer<typeof Item>;
const options = { store: memoryStore(), secrets: [process.env.SESSION_SECRET!] };

const perKey = createSessionManager({ ...options, data: { schema: { cart: z.array(Item), theme: v.picklist(['light', 'dark']) } } });
expectType<typeof perKey, SessionManager<{ cart: Item[]; theme: 'light' | 'dark' }>>(true);

export async function keys(): Promise<void> {
  const session = await perKey.load({});
  expectType<ReturnType<typeof session.get<'cart'>>, Item[] | undefined>(true);
  session.set('cart', [{ sku: 'apple', qty: 1 }]);
  session.update('theme', (theme) => (theme === 'dark' ? 'light' : 'dark'));
  // @ts-expect-error qty is a number
  session.set('cart', [{ sku: 'apple', qty: '1' }]);
  // @ts-expect-error the schema has no such key (and neither has the augmented SessionDataMap's 'cart' type here)
  session.set('coupon', 'X');
  // @ts-expect-error not a theme
  session.set('theme', 'blue');
  await session.login('alice', { merge: (anonymous) => ({ cart: anonymous.cart ?? [] }) });
}

const Shop = z.object({ cart: z.array(Item).default([]), coupon: z.string().optional() });
const whole = createSessionManager({ ...options, data: { schema: Shop, version: 2, migrate: { 2: (data) => ({ ...data, cart: [] }) }, validateOnLoad: true } });
expectType<typeof whole, SessionManager<z.output<typeof Shop>>>(true);
expectType<InferSessionData<typeof Shop>, { cart: Item[]; coupon?: string | undefined }>(true);

export async function wholeData(request: Request): Promise<void> {
  const session = await whole.load({});
  expectType<typeof session, Session<z.output<typeof Shop>>>(true);
  expectType<ReturnType<typeof session.get<'coupon'>>, string | undefined>(true);
  // @ts-expect-error a cart holds items
  session.set('cart', ['apple']);
  void withSession(whole, request, async (s) => {
    expectType<typeof s, Session<z.output<typeof Shop>>>(true);
    return Response.json({});
  });
  const app = Fastify();
  await app.register(coatcheck, { manager: whole });
  app.post('/cart', async (req) => {
    const typed = getSession(req, whole);
    expectType<ReturnType<typeof typed.get<'cart'>>, Item[] | undefined>(true);
    return { ok: true };
  });
}

// @ts-expect-error a whole-data schema describes an object
createSessionManager({ ...options, data: { schema: z.string() } });
// @ts-expect-error each key needs a schema
createSessionManager({ ...options, data: { schema: { cart: 'string' } } });

// An explicit type still wins, and a manager without a schema keeps the augmented SessionDataMap.
interface Explicit {
  basket: number[];
}
const explicit = createSessionManager<Explicit>({ ...options, data: { version: 2, migrate: { 2: (data) => data } } });
expectType<typeof explicit, SessionManager<Explicit>>(true);
