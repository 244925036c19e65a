// A form's CSRF token field is read from the parsed body in preValidation. Without a parser
// for the form's type, or with one that leaves the fields off request.body (multipart without
// attachFieldsToBody), the 403 says which parser to register instead of "token missing".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, cookiePair, HTTPS } from './helpers.js';

// No Origin and no Sec-Fetch-Site (an old browser, a stripping proxy): in strict mode the
// token decides (the default mode lets such a request through and never reads the form).
const BARE = { 'x-forwarded-proto': 'https' } as const;
const STRICT = { csrf: { mode: 'strict' } } as const;

async function loggedIn(app: FastifyInstance) {
  const cookie = cookiePair((await app.inject({ method: 'POST', url: '/login', headers: HTTPS })).headers);
  const token = await app.inject({ method: 'GET', url: '/token', headers: { ...HTTPS, cookie } }).then((res) => res.json().token as string);
  return { cookie, token };
}

const tokenRoute = (app: FastifyInstance) => {
  app.get('/token', async (req) => ({ token: await req.session.csrfToken() }));
};

const urlencoded = (app: FastifyInstance) =>
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

const form = (fields: Record<string, string>) => ({ 'content-type': 'application/x-www-form-urlencoded', payload: new URLSearchParams(fields).toString() });

describe("Fastify: a form's CSRF field and the body parser", () => {
  it('no parser for urlencoded forms: 403 ERR_SESSION_CSRF naming @fastify/formbody, not 415', async () => {
    const { app } = await buildTestApp(STRICT, undefined, tokenRoute);
    const { cookie, token } = await loggedIn(app);
    const { payload, 'content-type': type } = form({ item: 'x', _csrf: token });
    const res = await app.inject({ method: 'POST', url: '/cart', headers: { ...BARE, cookie, 'content-type': type }, payload });
    assert.equal(res.statusCode, 403, res.body);
    const { code, message } = res.json().error as { code: string; message: string };
    assert.equal(code, 'ERR_SESSION_CSRF');
    assert.match(message, /no body parser had read the form when the session middleware ran/);
    assert.match(message, /@fastify\/formbody for urlencoded forms/);
  });

  it('with a urlencoded parser, the same form is accepted', async () => {
    const { app } = await buildTestApp(STRICT, undefined, (a) => {
      tokenRoute(a);
      urlencoded(a);
    });
    const { cookie, token } = await loggedIn(app);
    const { payload, 'content-type': type } = form({ item: 'x', _csrf: token });
    const res = await app.inject({ method: 'POST', url: '/cart', headers: { ...BARE, cookie, 'content-type': type }, payload });
    assert.equal(res.statusCode, 200, res.body);
  });

  it('a multipart parser that leaves the fields off request.body: 403 naming attachFieldsToBody', async () => {
    const { app } = await buildTestApp(STRICT, undefined, (a) => {
      tokenRoute(a);
      // What @fastify/multipart does without attachFieldsToBody: the handler reads the parts.
      a.addContentTypeParser('multipart/form-data', (_req, stream, done) => {
        stream.resume();
        stream.on('end', () => done(null, undefined));
      });
    });
    const { cookie, token } = await loggedIn(app);
    const payload = `--b\r\ncontent-disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n--b--\r\n`;
    const res = await app.inject({ method: 'POST', url: '/cart', headers: { ...BARE, cookie, 'content-type': 'multipart/form-data; boundary=b' }, payload });
    assert.equal(res.statusCode, 403, res.body);
    assert.match(res.json().error.message, /@fastify\/multipart with attachFieldsToBody: 'keyValues'/);
  });

  it('a parsed form without the field gets the usual "token missing"', async () => {
    const { app } = await buildTestApp(STRICT, undefined, (a) => {
      tokenRoute(a);
      urlencoded(a);
    });
    const { cookie } = await loggedIn(app);
    const { payload, 'content-type': type } = form({ item: 'x' });
    const res = await app.inject({ method: 'POST', url: '/cart', headers: { ...BARE, cookie, 'content-type': type }, payload });
    assert.equal(res.statusCode, 403, res.body);
    assert.match(res.json().error.message, /^CSRF token missing: this request has a session cookie/);
    assert.doesNotMatch(res.json().error.message, /body parser/);
  });
});
