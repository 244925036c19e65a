// (c) Express 5 + express-session with its default MemoryStore.
// (d) STORE=redis: with connect-redis (node-redis v5) and its default touch: GET + EXPIRE per
// authenticated read.
import express from 'express';
import session from 'express-session';

// Loaded only for the Redis variant, so the memory variant never opens a connection.
const store = process.env.STORE === 'redis' ? await (await import('./redis-client.mjs')).connectRedisSessionStore() : undefined;

const app = express();
app.use(
  session({
    secret: process.env.SESSION_SECRET,
    name: 'sid',
    resave: false,
    saveUninitialized: false,
    cookie: { secure: false, httpOnly: true, sameSite: 'lax', maxAge: 86_400_000 },
    ...(store ? { store } : {}),
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

app.listen(Number(process.env.PORT ?? 3003), '127.0.0.1');
