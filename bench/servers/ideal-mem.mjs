// Diagnostic (ideal / ideal-defer): the least work a signed-cookie in-memory session read can
// do on Fastify (perf-anchors "i3"/"i3d"): indexOf cookie scan, one HMAC-SHA256 verify, a Map
// lookup, JSON.parse. DEFER=1 completes the lookup on a later turn (setImmediate).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';

const SECRET = process.env.SESSION_SECRET;
const DEFER = process.env.DEFER === '1';
const sessions = new Map();
const mac = (id) => createHmac('sha256', SECRET).update(id).digest();
const sign = (id) => `${id}.${mac(id).toString('base64url')}`;
function unsign(v) {
  if (typeof v !== 'string' || v.length !== 87 || v.charCodeAt(43) !== 46) return null;
  const id = v.slice(0, 43);
  const given = Buffer.from(v.slice(44), 'base64url');
  return given.length === 32 && timingSafeEqual(given, mac(id)) ? id : null;
}
function readSid(header) {
  if (!header) return null;
  const at = header.indexOf('sid=');
  if (at === -1 || (at > 0 && header[at - 1] !== ' ' && header[at - 1] !== ';')) return null;
  const end = header.indexOf(';', at);
  return header.slice(at + 4, end === -1 ? undefined : end);
}
const lookup = (id) => sessions.get(id);
const later = (id) => new Promise((resolve) => setImmediate(() => resolve(lookup(id))));

const app = Fastify({ logger: false });
app.post('/login', async (req, reply) => {
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
