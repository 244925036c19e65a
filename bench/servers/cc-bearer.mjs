// (cc-bearer) Fastify + @coatcheck/fastify in bearer mode with @coatcheck/tokens: HS256
// access tokens, the verified-token cache, and the session checked on every request through
// the revocation-aware local cache (memory store + in-process bus), so a logout is refused
// at once. POST /login returns the token pair as JSON; no cookie is ever set.
import Fastify from 'fastify';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { memoryBus } from 'coatcheck/bus';
import { coatcheck } from '@coatcheck/fastify';
import { createTokenService, generateKeyFile } from '@coatcheck/tokens';

const secret = process.env.SESSION_SECRET;
if (!secret || secret.length < 32) throw new Error('SESSION_SECRET (32+ chars) is required');
const manager = createSessionManager({ store: memoryStore({ quiet: true }), secrets: [secret], bus: memoryBus(), cache: true });
const tokens = await createTokenService({ manager, keys: await generateKeyFile(process.env.TOKEN_ALG ?? 'HS256'), refreshSecret: secret });
const app = Fastify({ logger: false });
await app.register(coatcheck, { manager, bearer: tokens });

app.post('/login', async () => {
  const session = await manager.loadById(null);
  session.set('counter', 0);
  return tokens.login(session, 'u_42');
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
app.post('/logout', async (req) => {
  await req.session.logout();
  return { ok: true };
});

await app.listen({ port: Number(process.env.PORT ?? 3012), host: '127.0.0.1' });
