// The CSRF guide's app, taken from docs/csrf.md itself: started, and driven over HTTP through
// what the guide promises for strict mode and trusted origins.
// Its type-check (strict, nodenext, skipLibCheck false) is the consumer test's, against the
// packed tarballs as a user installs them (scripts/consumer), not repeated here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readSnippet, startDocApp, writeDocApp, type DocApp, type RunningDocApp } from '@coatcheck/testkit/doc-apps';
import { cookiePair, sendHttp, SUITE_HOST, type SuiteRequest } from '@coatcheck/adapter-suite';

const GUIDE = 'docs/csrf.md';
/** The origin the app sees: plain HTTP (no proxy in front) and the suite client's Host. */
const OWN = `http://${SUITE_HOST}`;

describe("docs/csrf.md: the guide's app", () => {
  let app: DocApp;
  let server: RunningDocApp;
  let send: (request: SuiteRequest) => ReturnType<typeof sendHttp>;

  before(async () => {
    app = writeDocApp({ 'server.ts': readSnippet(GUIDE, 'csrf-guide/server.ts') });
    server = await startDocApp(app, 'server.ts', { PORT: '0', SESSION_SECRET: 'csrf-guide-test-secret-8d2f6b1a9e4c7d3f5a0b' });
    const port = Number(new URL(server.url).port);
    send = (request) => sendHttp(port, request);
  });

  after(async () => {
    await server?.stop();
    app?.remove();
  });

  /** A logged-in browser of the app's own page, and the token from the rendered form. */
  async function loggedIn() {
    const cookie = cookiePair(await send({ method: 'POST', path: '/login', headers: { origin: OWN }, json: { username: 'alice' } }));
    const page = await send({ path: '/', headers: { cookie } });
    const token = /name="_csrf" value="([A-Za-z0-9_-]+)"/.exec(page.body)?.[1];
    assert.ok(token, page.body);
    return { cookie, token };
  }

  it('CS-15 strict mode: the form post passes with its token and is refused without it', async () => {
    const { cookie, token } = await loggedIn();
    const refused = await send({ method: 'POST', path: '/notes', headers: { cookie }, form: { note: 'forged' } });
    assert.equal(refused.status, 403, refused.body);
    assert.equal(refused.json().error.code, 'ERR_SESSION_CSRF');
    const posted = await send({ method: 'POST', path: '/notes', headers: { cookie }, form: { note: 'first', _csrf: token } });
    assert.equal(posted.status, 200, posted.body);
    assert.deepEqual(posted.json().notes, ['first']);
    const script = (await send({ path: '/csrf-token', headers: { cookie } })).json().token as string;
    const header = await send({ method: 'POST', path: '/notes', headers: { cookie, 'x-csrf-token': script }, json: { note: 'second' } });
    assert.deepEqual(header.json().notes, ['first', 'second']);
  });

  it('CS-06 CS-07 the trusted origin passes; any other origin is refused', async () => {
    const { cookie } = await loggedIn();
    const admin = await send({
      method: 'POST',
      path: '/notes',
      headers: { cookie, origin: 'https://admin.example.com', 'sec-fetch-site': 'same-site' },
      json: { note: 'admin' },
    });
    assert.equal(admin.status, 200, admin.body);
    for (const origin of ['https://evil.example', 'https://admin.example.com.evil.com', 'null']) {
      const res = await send({ method: 'POST', path: '/notes', headers: { cookie, origin }, json: { note: origin } });
      assert.equal(res.status, 403, origin);
    }
  });
});
