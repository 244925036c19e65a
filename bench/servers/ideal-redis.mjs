// (ideal-redis) The least work a signed-cookie Redis session read can do on Fastify:
// indexOf cookie scan, one HMAC-SHA256 verify, one GET on the same
// client settings as ours, JSON.parse.
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { readSid, signedCookie } from './signed-cookie.mjs';
import { connectRedis, prefix } from './redis-client.mjs';

const SECRET = process.env.SESSION_SECRET;
const client = await connectRedis();
const { sign, unsign } = signedCookie(SECRET);

const app = Fastify({ logger: false });
app.post('/login', async (_req, reply) => {
  const id = randomBytes(32).toString('base64url');
  await client.set(prefix + id, JSON.stringify({ userId: 'u_42', counter: 0 }), { EX: 86_400 });
  reply.header('set-cookie', `sid=${sign(id)}; Path=/; HttpOnly; SameSite=Lax`);
  return { ok: true };
});
app.get('/me', async (req, reply) => {
  const id = unsign(readSid(req.headers.cookie));
  const raw = id && (await client.get(prefix + id));
  if (!raw) return reply.code(401).send({ error: 'no session' });
  const s = JSON.parse(raw);
  return { userId: s.userId, counter: s.counter };
});
app.post('/inc', async (req, reply) => {
  const id = unsign(readSid(req.headers.cookie));
  const raw = id && (await client.get(prefix + id));
  if (!raw) return reply.code(401).send({ error: 'no session' });
  const s = JSON.parse(raw);
  s.counter++;
  await client.set(prefix + id, JSON.stringify(s), { KEEPTTL: true });
  return { ok: true };
});

await app.listen({ port: Number(process.env.PORT ?? 3009), host: '127.0.0.1' });
