// (d) Express 5 + express-session + connect-redis (node-redis v5) with its default touch:
// GET + EXPIRE per authenticated read (perf-anchors variant d).
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { connectRedis, prefix } from './redis-client.mjs';

const client = await connectRedis();
const app = express();
app.use(
  session({
    secret: process.env.SESSION_SECRET,
    name: 'sid',
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: 86_400_000 },
    store: new RedisStore({ client, prefix }),
  }),
);

app.post('/login', (req, res, next) => {
  req.session.regenerate((error) => {
    if (error) return next(error);
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

app.listen(Number(process.env.PORT ?? 3004), '127.0.0.1');
