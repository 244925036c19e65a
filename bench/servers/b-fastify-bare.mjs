// (b) Fastify, no session: the baseline every ratio is divided by. Process-global counter.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const user = { userId: 'u_42', counter: 0 };

app.post('/login', async () => ({ ok: true }));
app.get('/me', async () => ({ userId: user.userId, counter: user.counter }));
app.post('/inc', async () => ({ counter: ++user.counter }));

await app.listen({ port: Number(process.env.PORT ?? 3002), host: '127.0.0.1' });
