// The shared adapter suite on Fastify, over real HTTP.
import Fastify from 'fastify';
import { describeAdapterSuite, internalFailure, sendHttp, storeFailure, SUDO } from '@coatcheck/adapter-suite';
import { coatcheck, sessionErrorHandler } from '../src/index.js';

type Body = { item?: string; user?: string; remember?: boolean; method?: string; challenge?: string } | undefined;

describeAdapterSuite('fastify', async (manager, options = {}) => {
  const app = Fastify();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.setErrorHandler(sessionErrorHandler);
  // biome-ignore lint/nursery/noMisusedPromises: Fastify awaits async plugins; register() accepts them
  await app.register(coatcheck, { manager, ...options, trustProxy: 'trustProxy' in options ? options.trustProxy : true });
  app.get('/public', async () => ({ ok: true }));
  app.get('/me', async (req) => ({ userId: req.session.userId, status: req.session.status, cart: req.session.get('cart') ?? [] }));
  app.get('/throw-store', async () => {
    throw storeFailure();
  });
  app.get('/throw-internal', async () => {
    throw internalFailure();
  });
  app.post('/unserializable', async (req) => {
    req.session.set('big', 1n as never);
    return { ok: true };
  });
  app.get('/csrf', async (req) => ({ token: await req.session.csrfToken() }));
  app.post('/cart', async (req) => {
    const item = (req.body as Body)?.item ?? 'apple';
    req.session.update('cart', (cart) => [...((cart as string[] | undefined) ?? []), item]);
    return { ok: true };
  });
  app.post('/login', async (req) => {
    const body = req.body as Body;
    await req.session.login(body?.user ?? 'alice', { remember: body?.remember ?? false });
    return { ok: true };
  });
  app.post('/logout', async (req) => {
    await req.session.logout();
    return { ok: true };
  });
  // The mistake the suite checks is forgiven: no await on purpose.
  app.post('/login-unawaited', async (req) => {
    req.session.login((req.body as Body)?.user ?? 'alice');
    return { ok: true };
  });
  app.post('/logout-unawaited', async (req) => {
    req.session.logout();
    return { ok: true };
  });
  app.get('/sudo', async (req) => {
    await req.session.requireFresh(SUDO);
    return { ok: true };
  });
  app.post('/step-up', async (req) => {
    const body = req.body as Body;
    await req.session.stepUp(body?.method ?? 'otp', { challenge: body?.challenge as string });
    return { ok: true };
  });
  app.post('/regenerate', async (req) => {
    await req.session.regenerate();
    return { ok: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { request: (r) => sendHttp(port, r), port, close: () => app.close() };
});
