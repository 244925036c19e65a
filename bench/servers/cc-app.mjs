// Shared by the coatcheck variants: Fastify + @coatcheck/fastify with the given store.
import Fastify from 'fastify';
import { createSessionManager } from 'coatcheck';
import { coatcheck } from '@coatcheck/fastify';

export async function startCoatcheckServer(store, extra = {}, observe = undefined, fastifyOptions = {}) {
  const app = await buildCoatcheckApp(store, extra, observe, fastifyOptions);
  await app.listen({ port: Number(process.env.PORT ?? 3011), host: '127.0.0.1' });
  return app;
}

/** The same app, not listening: for in-process measurements through `app.inject`. */
export async function buildCoatcheckApp(store, extra = {}, observe = undefined, fastifyOptions = {}) {
  const secret = process.env.SESSION_SECRET;
  if (!secret || secret.length < 32) throw new Error('SESSION_SECRET (32+ chars) is required');
  const app = Fastify({ logger: false, ...fastifyOptions });
  const manager = createSessionManager({ store, secrets: [secret], ...extra });
  observe?.(manager);
  await app.register(coatcheck, { manager });

  app.post('/login', async (req) => {
    await req.session.login('u_42');
    req.session.set('counter', 0);
    return { ok: true };
  });
  app.get('/me', async (req, reply) => {
    const s = req.session;
    if (!s.isAuthenticated) return reply.code(401).send({ error: 'no session' });
    return { userId: s.userId, counter: s.get('counter') };
  });
  app.post('/inc', async (req, reply) => {
    const s = req.session;
    if (!s.isAuthenticated) return reply.code(401).send({ error: 'no session' });
    s.update('counter', (n = 0) => n + 1);
    return { ok: true };
  });

  return app;
}
