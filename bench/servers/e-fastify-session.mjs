// (e) Fastify + @fastify/cookie + @fastify/session, built-in memory store, no rolling.
// (f) STORE=redis: with connect-redis (node-redis v5): one GET per authenticated read.
import Fastify from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';

// Loaded only for the Redis variant, so the memory variant never opens a connection.
const store = process.env.STORE === 'redis' ? await (await import('./redis-client.mjs')).connectRedisSessionStore() : undefined;

const app = Fastify({ logger: false });
await app.register(fastifyCookie);
await app.register(fastifySession, {
  secret: process.env.SESSION_SECRET,
  cookieName: 'sid',
  cookie: { secure: false, httpOnly: true, sameSite: 'lax', maxAge: 86_400_000 },
  rolling: false,
  saveUninitialized: false,
  ...(store ? { store } : {}),
});

app.post('/login', async (req) => {
  await req.session.regenerate();
  req.session.set('userId', 'u_42');
  req.session.set('counter', 0);
  return { ok: true };
});
app.get('/me', async (req, reply) => {
  const userId = req.session.get('userId');
  if (!userId) return reply.code(401).send({ error: 'no session' });
  return { userId, counter: req.session.get('counter') };
});
app.post('/inc', async (req, reply) => {
  if (!req.session.get('userId')) return reply.code(401).send({ error: 'no session' });
  req.session.set('counter', req.session.get('counter') + 1);
  return { ok: true };
});

await app.listen({ port: Number(process.env.PORT ?? 3005), host: '127.0.0.1' });
