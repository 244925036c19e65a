// A form's CSRF token field can only be checked when a body parser ran before session():
// mounted after it, the 403 says so (and how to fix it) instead of "token missing".
// Express 5 and Express 4, over real HTTP, in strict mode (the only mode that reads the token).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express from 'express';
import express4 from 'express4';
import type { SessionManager } from 'coatcheck';
import { BARE, buildHarness, cookiePair, HTTPS, sendHttp, type Harness, type SuiteApp } from '@coatcheck/adapter-suite';
import { session, sessionErrorHandler } from '../src/index.js';
import type { ExpressModule } from './app.js';

/** An app whose urlencoded parser is mounted before or after the session middleware. */
function formApp(expressModule: ExpressModule, parser: 'before' | 'after' | 'json-only') {
  return async (manager: SessionManager): Promise<SuiteApp> => {
    const app = expressModule();
    app.set('trust proxy', true);
    app.use(expressModule.json());
    if (parser === 'before') app.use(expressModule.urlencoded({ extended: false }));
    app.use(session({ manager, logger: { error() {} } }));
    if (parser === 'after') app.use(expressModule.urlencoded({ extended: false }));
    app.post('/login', (req, res, next) => void req.session.login('alice').then(() => res.json({ ok: true }), next));
    app.get('/csrf', (req, res, next) => void req.session.csrfToken().then((token) => res.json({ token }), next));
    app.post('/cart', (req, res) => {
      req.session.update('cart', (cart) => [...((cart as string[] | undefined) ?? []), 'form']);
      res.json({ ok: true });
    });
    app.use(sessionErrorHandler({ error() {} }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    return { request: (r) => sendHttp(port, r), port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  };
}

/** Strict mode: a cookie request with neither Origin nor Sec-Fetch-Site must carry the token. */
const STRICT = { csrf: { mode: 'strict' } } as const;

/** A logged-in browser's cookie and a fresh token for it. */
async function loggedIn({ app }: Harness) {
  const cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS, json: {} }));
  const token = (await app.request({ path: '/csrf', headers: { ...HTTPS, cookie } })).json().token as string;
  return { cookie, token };
}

for (const [label, expressModule] of [
  ['express 5', express],
  ['express 4', express4],
] as const) {
  const module = expressModule as unknown as ExpressModule;

  describe(`${label}: a form's CSRF field and the body parser`, () => {
    it('parser mounted after session(): 403 ERR_SESSION_CSRF saying to mount it before, with the line to write', async () => {
      const h = await buildHarness(formApp(module, 'after'), STRICT);
      const { cookie, token } = await loggedIn(h);
      // No Origin and no Sec-Fetch-Site (an old browser, a stripping proxy): in strict mode the token decides.
      const res = await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie }, form: { item: 'x', _csrf: token } });
      assert.equal(res.status, 403, res.body);
      const { code, message } = res.json().error as { code: string; message: string };
      assert.equal(code, 'ERR_SESSION_CSRF');
      assert.match(message, /no body parser had read the form when the session middleware ran/);
      assert.match(
        message,
        /Mount the body parser before session\(\): app\.use\(express\.urlencoded\(\{ extended: false \}\)\), then app\.use\(session\(\{ manager \}\)\)/,
      );
      assert.match(message, /multer/);
      assert.deepEqual(res.cookies, []);
    });

    it('parser mounted before session(): the same form is accepted', async () => {
      const h = await buildHarness(formApp(module, 'before'), STRICT);
      const { cookie, token } = await loggedIn(h);
      const res = await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie }, form: { item: 'x', _csrf: token } });
      assert.equal(res.status, 200, res.body);
    });

    it('only express.json() before session(): a form still gets the body-parser message', async () => {
      const h = await buildHarness(formApp(module, 'json-only'), STRICT);
      const { cookie, token } = await loggedIn(h);
      const res = await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie }, form: { _csrf: token } });
      assert.equal(res.status, 403, res.body);
      assert.match(res.json().error.message, /Mount the body parser before session\(\)/);
    });

    it('a parsed form without the field, and a JSON body without the header, get the usual "token missing"', async () => {
      const h = await buildHarness(formApp(module, 'before'), STRICT);
      const { cookie } = await loggedIn(h);
      for (const request of [{ form: { item: 'x' } }, { json: { item: 'x' } }]) {
        const res = await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie }, ...request });
        assert.equal(res.status, 403, res.body);
        assert.match(res.json().error.message, /^CSRF token missing: this request has a session cookie/);
        assert.doesNotMatch(res.json().error.message, /body parser/);
      }
    });
  });
}
