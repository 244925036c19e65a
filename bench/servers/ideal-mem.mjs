// Diagnostic (ideal / ideal-defer): the least work a signed-cookie in-memory session read can
// do on Fastify: indexOf cookie scan, one HMAC-SHA256 verify, a Map
// lookup, JSON.parse. DEFER=1 completes the lookup on a later turn (setImmediate); CACHE=1
// remembers verified cookie values (ideal-cache), as coatcheck does.
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { readSid, signedCookie } from './signed-cookie.mjs';

const SECRET = process.env.SESSION_SECRET;
const DEFER = process.env.DEFER === '1';
const sessions = new Map();
const { sign, unsign } = signedCookie(SECRET, { cache: process.env.CACHE === '1' });
const lookup = (id) => sessions.get(id);
const later = (id) => new Promise((resolve) => setImmediate(() => resolve(lookup(id))));

const app = Fastify({ logger: false });
app.post('/login', async (_req, reply) => {
  const id = randomBytes(32).toString('base64url');
  sessions.set(id, JSON.stringify({ userId: 'u_42', counter: 0 }));
  reply.header('set-cookie', `sid=${sign(id)}; Path=/; HttpOnly; SameSite=Lax`);
  return { ok: true };
});
app.get('/me', async (req, reply) => {
  const id = unsign(readSid(req.headers.cookie));
  const raw = id && (DEFER ? await later(id) : lookup(id));
  if (!raw) return reply.code(401).send({ error: 'no session' });
  const s = JSON.parse(raw);
  return { userId: s.userId, counter: s.counter };
});
app.post('/inc', async (req, reply) => {
  const id = unsign(readSid(req.headers.cookie));
  const raw = id && lookup(id);
  if (!raw) return reply.code(401).send({ error: 'no session' });
  const s = JSON.parse(raw);
  s.counter++;
  sessions.set(id, JSON.stringify(s));
  return { ok: true };
});

await app.listen({ port: Number(process.env.PORT ?? 3020), host: '127.0.0.1' });
