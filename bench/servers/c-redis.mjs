// (c-redis) Express 5 + express-session + connect-redis 9 (node-redis v5), the setup its
// README recommends; keys under a per-process prefix. Compare with (cx-redis).
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';

const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
client.on('error', (error) => console.error('redis', error));
await client.connect();

const app = express();
app.use(
  session({
    store: new RedisStore({ client, prefix: `bench:c:${process.pid}:` }),
    secret: process.env.SESSION_SECRET,
    name: 'sid',
    resave: false,
    saveUninitialized: false,
    cookie: { secure: false, httpOnly: true, sameSite: 'lax', maxAge: 86_400_000 },
  }),
);

app.post('/login', (req, res, next) => {
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.userId = 'u_42';
    req.session.counter = 0;
    res.json({ ok: true });
  });
});
app.get('/me', (req, res) => {
  if (!req.session.userId) return res.status(401).json({ error: 'no session' });
  res.json({ userId: req.session.userId, counter: req.session.counter });
});
app.post('/inc', (req, res) => {
  if (!req.session.userId) return res.status(401).json({ error: 'no session' });
  req.session.counter += 1;
  res.json({ ok: true });
});

app.listen(Number(process.env.PORT ?? 3023), '127.0.0.1');
