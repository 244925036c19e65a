// The Express commit design: responses wait for the store write; streaming handlers commit
// explicitly; the writeHead safety net never sends a cookie for a write that did not happen.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { memoryStore } from 'coatcheck/memory';
import type { SessionStore } from 'coatcheck/store-kit';
import { buildHarness, cookiePair, HTTPS } from '@coatcheck/adapter-suite';
import { commitSession } from '../src/index.js';
import { expressApp, type ExpressModule } from './app.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Lets the event loop run a few turns, so a response that was not held back would arrive. */
async function turns(n = 20) {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

const errors: string[] = [];
const app = expressApp(express as unknown as ExpressModule, (a) => {
  a.get('/stream', (req, res, next) => {
    req.session.set('streamed', true);
    commitSession(req, res).then(() => {
      res.write('part one, ');
      res.end('part two');
    }, next);
  });
  a.post('/login-redirect', (req, res, next) => void req.session.login('alice').then(() => res.redirect('/me'), next));
  a.post('/login-end', (req, res, next) => void req.session.login('alice').then(() => res.end('ok'), next));
  a.get('/late', (req, res, next) => {
    res.end('done', () =>
      commitSession(req, res)
        .then(
          () => errors.push('no error'),
          (error: { code?: string }) => errors.push(String(error.code)),
        )
        .catch(next),
    );
  });
});

describe('express commit', () => {
  it('a response waits until the session write is durable, then carries its cookie', async () => {
    const entered = gate();
    const release = gate();
    const inner = memoryStore({ sweepIntervalMs: 0, quiet: true });
    const slow: SessionStore = { ...inner, name: 'slow', create: async (record) => (entered.open(), await release.opened, inner.create(record)) };
    const { app: server } = await buildHarness(app, {}, slow);
    let received = false;
    const pending = server.request({ method: 'POST', path: '/cart', headers: HTTPS, json: { item: 'apple' } }).then((res) => ((received = true), res));
    await entered.opened;
    await turns();
    assert.equal(received, false, 'no byte of the response before the store answered');
    release.open();
    const res = await pending;
    assert.equal(res.status, 200);
    assert.equal(res.cookies.length, 1);
  });

  it('commitSession lets a streaming handler write the session first', async () => {
    const { app: server } = await buildHarness(app);
    const res = await server.request({ path: '/stream', headers: HTTPS });
    assert.equal(res.body, 'part one, part two');
    const cookie = cookiePair(res);
    assert.equal((await server.request({ path: '/me', headers: { ...HTTPS, cookie } })).json().status, 'valid');
  });

  it('login then res.redirect or a bare res.end still sends the new ticket (already durable)', async () => {
    const { app: server } = await buildHarness(app);
    for (const path of ['/login-redirect', '/login-end']) {
      const res = await server.request({ method: 'POST', path, headers: HTTPS });
      const cookie = cookiePair(res);
      assert.equal((await server.request({ path: '/me', headers: { ...HTTPS, cookie } })).json().userId, 'alice', path);
    }
  });

  it('changes a handler never committed are dropped and logged, with no Set-Cookie', async () => {
    const logged: string[] = [];
    const logging = expressApp(
      express as unknown as ExpressModule,
      (a) => {
        a.get('/forgot', (req, res) => {
          req.session.set('forgotten', true);
          res.end('no commit');
        });
      },
      { error: (message: string) => void logged.push(message) },
    );
    const { app: server, store } = await buildHarness(logging);
    const res = await server.request({ path: '/forgot', headers: HTTPS });
    assert.equal(res.body, 'no commit');
    assert.deepEqual(res.cookies, []);
    assert.equal(store.counts.create, 0);
    assert.equal(logged.length, 1);
    assert.match(logged[0] as string, /1 change\(s\) were not saved.*await commitSession\(req, res\)/);
  });

  it("routes of a mounted sub-app commit too (the hooks live on Express' shared response prototype)", async () => {
    const withSubApp = expressApp(express as unknown as ExpressModule, (a) => {
      const sub = (express as unknown as ExpressModule)();
      sub.post('/cart', (req, res) => {
        req.session.update('cart', (cart) => [...((cart as string[] | undefined) ?? []), 'sub']);
        res.json({ ok: true });
      });
      sub.post('/jump', (req, res) => {
        req.session.set('jumped', true);
        res.redirect('/me');
      });
      a.use('/sub', sub);
    });
    const { app: server } = await buildHarness(withSubApp);
    const cookie = cookiePair(await server.request({ method: 'POST', path: '/sub/cart', headers: HTTPS }));
    assert.deepEqual((await server.request({ path: '/me', headers: { ...HTTPS, cookie } })).json().cart, ['sub']);
    const jump = await server.request({ method: 'POST', path: '/sub/jump', headers: HTTPS });
    assert.equal(jump.status, 302);
    assert.equal(jump.cookies.length, 1, 'the redirect waited for the new session to be written');
  });

  it('commitSession after the headers went out rejects with ERR_SESSION_COMMITTED', async () => {
    const { app: server } = await buildHarness(app);
    await server.request({ path: '/late', headers: HTTPS });
    for (let i = 0; i < 100 && errors.length === 0; i++) await turns(1);
    assert.deepEqual(errors, ['ERR_SESSION_COMMITTED']);
  });
});
