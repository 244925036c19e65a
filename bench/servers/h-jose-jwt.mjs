// (h) Fastify + a plain jose.jwtVerify per request: HS256 with a pre-imported CryptoKey (the
// faster option: no key import per request), issuer and audience checked. Stateless: a token stays
// valid until it expires, whatever happens to the session. Process-global counter, like b.
import { webcrypto } from 'node:crypto';
import Fastify from 'fastify';
import { SignJWT, jwtVerify } from 'jose';

const secret = new TextEncoder().encode(process.env.SESSION_SECRET);
const key = await webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
const options = { algorithms: ['HS256'], issuer: 'bench', audience: 'bench' };
const user = { counter: 0 };

async function subject(req) {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return null;
  try {
    const { payload } = await jwtVerify(header.slice(7), key, options);
    return payload.sub;
  } catch {
    return null;
  }
}

const app = Fastify({ logger: false });
app.post('/login', async () => ({
  access_token: await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('u_42')
    .setIssuer('bench')
    .setAudience('bench')
    .setIssuedAt()
    .setExpirationTime('1d')
    .sign(key),
}));
app.get('/me', async (req, reply) => {
  const sub = await subject(req);
  if (!sub) return reply.code(401).send({ error: 'no session' });
  return { userId: sub, counter: user.counter };
});
app.post('/inc', async (req, reply) => {
  if (!(await subject(req))) return reply.code(401).send({ error: 'no session' });
  return { counter: ++user.counter };
});

await app.listen({ port: Number(process.env.PORT ?? 3008), host: '127.0.0.1' });
