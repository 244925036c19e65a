// Shared by the Express coatcheck variants: Express 5 + @coatcheck/express with the given store.
import express from 'express';
import { createSessionManager } from 'coatcheck';
import { session } from '@coatcheck/express';

export async function startExpressCoatcheckServer(store) {
  const secret = process.env.SESSION_SECRET;
  if (!secret || secret.length < 32) throw new Error('SESSION_SECRET (32+ chars) is required');
  const app = express();
  app.use(session({ manager: createSessionManager({ store, secrets: [secret] }) }));

  app.post('/login', (req, res, next) => {
    req.session.login('u_42').then(() => {
      req.session.set('counter', 0);
      res.json({ ok: true });
    }, next);
  });
  app.get('/me', (req, res) => {
    const s = req.session;
    if (!s.isAuthenticated) return res.status(401).json({ error: 'no session' });
    res.json({ userId: s.userId, counter: s.get('counter') });
  });
  app.post('/inc', (req, res) => {
    const s = req.session;
    if (!s.isAuthenticated) return res.status(401).json({ error: 'no session' });
    s.update('counter', (n = 0) => n + 1);
    res.json({ ok: true });
  });

  const server = app.listen(Number(process.env.PORT ?? 3021), '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return server;
}
