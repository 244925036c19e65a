// The adapter suite's app on Hono.
import { Hono } from 'hono';
import type { SessionManager } from 'coatcheck';
import { internalFailure, storeFailure, SUDO, type SuiteOptions } from '@coatcheck/adapter-suite';
import { session } from '../src/index.js';

type Body = { item?: string; user?: string; remember?: boolean; method?: string; challenge?: string };

async function readBody(c: {
  req: { header(name: string): string | undefined; json(): Promise<unknown>; parseBody(): Promise<Record<string, unknown>> };
}): Promise<Body> {
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/json')) return (await c.req.json()) as Body;
  if (type.startsWith('application/x-www-form-urlencoded')) return (await c.req.parseBody()) as Body;
  return {};
}

export function honoApp(manager: SessionManager, options: SuiteOptions = {}): Hono {
  const app = new Hono();
  app.onError((_error, c) => c.text('Internal Server Error', 500));
  app.use(session({ manager, ...options, trustProxy: 'trustProxy' in options ? options.trustProxy : true }));
  app.get('/public', (c) => c.json({ ok: true }));
  app.get('/me', (c) => {
    const s = c.get('session');
    return c.json({ userId: s.userId, status: s.status, cart: s.get('cart') ?? [] });
  });
  app.get('/throw-store', () => {
    throw storeFailure();
  });
  app.get('/throw-internal', () => {
    throw internalFailure();
  });
  app.post('/unserializable', (c) => {
    c.get('session').set('big', 1n as never);
    return c.json({ ok: true });
  });
  app.get('/csrf', async (c) => c.json({ token: await c.get('session').csrfToken() }));
  app.post('/cart', async (c) => {
    const item = (await readBody(c)).item ?? 'apple';
    c.get('session').update('cart', (cart) => [...((cart as string[] | undefined) ?? []), item]);
    return c.json({ ok: true });
  });
  app.post('/login', async (c) => {
    const body = await readBody(c);
    await c.get('session').login(body.user ?? 'alice', { remember: body.remember ?? false });
    return c.json({ ok: true });
  });
  app.post('/logout', async (c) => {
    await c.get('session').logout();
    return c.json({ ok: true });
  });
  // The mistake the suite checks is forgiven: no await on purpose.
  app.post('/login-unawaited', async (c) => {
    c.get('session').login((await readBody(c)).user ?? 'alice');
    return c.json({ ok: true });
  });
  app.post('/logout-unawaited', (c) => {
    c.get('session').logout();
    return c.json({ ok: true });
  });
  app.get('/sudo', async (c) => {
    await c.get('session').requireFresh(SUDO);
    return c.json({ ok: true });
  });
  app.post('/step-up', async (c) => {
    const body = await readBody(c);
    await c.get('session').stepUp(body.method ?? 'otp', { challenge: body.challenge as string });
    return c.json({ ok: true });
  });
  app.post('/regenerate', async (c) => {
    await c.get('session').regenerate();
    return c.json({ ok: true });
  });
  return app;
}
