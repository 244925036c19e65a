// The bearer guide's app, taken from docs/bearer.md itself: its key command run in a shell,
// the app started, then driven over HTTP through the whole flow the guide promises (anonymous cart, login keeping it, refresh and
// replay, revoke with an access token), and its tokens checked by a second verifier with
// the JWKS, issuer and audience, as another service would.
// Its type-check (strict, nodenext, skipLibCheck false) is the consumer test's, against the
// packed tarballs as a user installs them (scripts/consumer), not repeated here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { readSnippet, REPO_ROOT, SOURCE_NODE_OPTIONS, startDocApp, writeDocApp, type DocApp, type RunningDocApp } from '@coatcheck/testkit/doc-apps';

const GUIDE = 'docs/bearer.md';
// Response bodies are the app's JSON: read them as such.
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();
const PUBLIC_URL = 'https://shop.example';

function keyCommand(): string {
  const line = readFileSync(join(REPO_ROOT, GUIDE), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('export TOKEN_KEYS='));
  assert.ok(line, `${GUIDE} shows how to generate TOKEN_KEYS with "export TOKEN_KEYS=..."`);
  return line;
}

describe("docs/bearer.md: the guide's app", () => {
  let app: DocApp;
  let server: RunningDocApp;
  let origin: string;

  before(async () => {
    app = writeDocApp({ 'server.ts': readSnippet(GUIDE, 'bearer-guide/server.ts') });
    const keys = execFileSync('sh', ['-c', `${keyCommand()} && printf '%s' "$TOKEN_KEYS"`], {
      cwd: app.dir,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: SOURCE_NODE_OPTIONS },
    });
    assert.equal(JSON.parse(keys).keys[0].alg, 'EdDSA');
    server = await startDocApp(app, 'server.ts', {
      PORT: '0',
      SESSION_SECRET: 'bearer-guide-test-secret-3c9f1a7e5d2b8c4f6a0e',
      TOKEN_KEYS: keys,
      SESSIONS_DB: join(app.dir, 'sessions.db'),
      PUBLIC_URL,
    });
    // As the consumer test drives it: by name, with a same-origin Origin header.
    origin = server.url.replace('127.0.0.1', 'localhost').replace('[::1]', 'localhost');
  });

  after(async () => {
    await server?.stop();
    app?.remove();
  });

  const post = (path: string, body?: unknown, token?: string) =>
    fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const me = (token?: string) => fetch(`${origin}/user/me`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('serves the whole flow: anonymous cart, login keeping it, refresh, replay, revoke', async () => {
    const anon = await json(post('/anonymous-login'));
    assert.equal(anon.token_type, 'Bearer');
    assert.deepEqual(await json(post('/cart/add', { item_id: 'apple' }, anon.access_token)), { cart: ['apple'] });
    const noBearer = await me();
    assert.equal(noBearer.status, 401);
    assert.match(String(noBearer.headers.get('www-authenticate')), /^Bearer/);
    assert.match((await json(me(anon.access_token))).current_user_id, /^anonymous_/);

    assert.equal((await post('/token', { username: 'alice', password: 'wrong' }, anon.access_token)).status, 401);
    const login = await post('/token', { username: 'alice', password: 'wonderland' }, anon.access_token);
    assert.equal(login.status, 200);
    const pair = await json(login);
    assert.deepEqual(await json(post('/cart/add', { item_id: 'pear' }, pair.access_token)), { cart: ['apple', 'pear'] }, 'the cart was kept');
    assert.deepEqual(await json(me(pair.access_token)), { current_user_id: 'user-alice' });
    assert.equal((await me(anon.access_token)).status, 401, 'the anonymous token ended with the login');

    const refreshed = await post('/token/refresh', { refresh_token: pair.refresh_token }, pair.access_token);
    assert.equal(refreshed.status, 200);
    const next = await json(refreshed);
    assert.equal((await post('/token/refresh', { refresh_token: pair.refresh_token })).status, 401, 'a replayed refresh token is refused');
    assert.equal((await me(next.access_token)).status, 401, 'and the replay ended the session');

    const again = await json(post('/token', { username: 'alice', password: 'wonderland' }));
    assert.equal((await me(again.access_token)).status, 200);
    const revoked = await post('/token/revoke', { token: again.access_token });
    assert.deepEqual([revoked.status, await json(revoked)], [200, { ok: true }]);
    assert.equal((await me(again.access_token)).status, 401, 'the revoked access token is refused');
    assert.equal((await post('/token/refresh', { refresh_token: again.refresh_token })).status, 401, 'and so is its refresh token');
    assert.deepEqual(await json(post('/token/revoke', { token: 'garbage' })), { ok: true });
  });

  it('issues tokens another service can verify with the JWKS, issuer and audience', async () => {
    const { access_token } = await json(post('/anonymous-login'));
    const jwks = createLocalJWKSet(await json(fetch(`${origin}/.well-known/jwks.json`)));
    const { payload, protectedHeader } = await jwtVerify(access_token, jwks, { issuer: PUBLIC_URL, audience: `${PUBLIC_URL}/api`, typ: 'at+jwt' });
    assert.equal(protectedHeader.alg, 'EdDSA');
    assert.match(String(payload.sub), /^anonymous_/);
    await assert.rejects(jwtVerify(access_token, jwks, { audience: 'https://other.example/api' }), /aud/, 'a token meant for this API fails elsewhere');
  });
});
