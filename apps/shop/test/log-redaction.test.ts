// LC-26: the shop's logs never hold a credential. A whole flow (register, cookie login,
// CSRF token, bearer login, refresh, revoke, tokens wrongly put in URLs) runs with the logger
// at trace level writing to memory; then every token, cookie value, ticket secret, the
// password and the signing secret are looked for in the whole log. None may appear.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { redactUrl } from '../src/hardening/log-redaction.js';
import { createShop, PASSWORD } from './helpers.js';

/** A stream that keeps everything the logger writes. */
function memoryStream(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('logs without credentials', () => {
  it('LC-26 query values of token and ticket names are redacted, names and other values kept', () => {
    assert.equal(redactUrl('/items'), '/items');
    assert.equal(redactUrl('/x?refresh_token=abc&page=2'), '/x?refresh_token=[redacted]&page=2');
    assert.equal(
      redactUrl('/x?access_token=a&token=b&sid=c&ticket=d&code=e&csrf_token=f&x-session-id=g&api_key=h'),
      '/x?access_token=[redacted]&token=[redacted]&sid=[redacted]&ticket=[redacted]&code=[redacted]&csrf_token=[redacted]&x-session-id=[redacted]&api_key=[redacted]',
    );
    // Encoded or odd-case names are credentials too; a fragment is dropped.
    assert.equal(redactUrl('/x?Refresh%5Ftoken=abc&%E0=1#frag'), '/x?Refresh%5Ftoken=[redacted]&%E0=1');
    assert.equal(redactUrl('/x?q=token'), '/x?q=token', 'a value that looks like a name is not a name');
  });

  it('LC-26 a full cookie and bearer flow at trace level logs no token, cookie, password or secret', async () => {
    const log = memoryStream();
    const secret = randomBytes(32).toString('base64url');
    const { app } = await createShop({ app: { secrets: [secret], logger: { level: 'trace', stream: log.stream } } });
    const secrets = new Set<string>([secret, PASSWORD]);
    const remember = (value: unknown) => {
      if (typeof value === 'string' && value.length >= 16) secrets.add(value);
    };
    const post = (url: string, payload: object, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, payload, headers });

    assert.equal((await post('/register', { username: 'alice', password: PASSWORD })).statusCode, 201);
    // Cookie login: the whole cookie value, and each of its parts long enough to be a secret.
    const login = await post('/login', { username: 'alice', password: PASSWORD });
    assert.equal(login.statusCode, 200);
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    const cookieValue = cookie.slice(cookie.indexOf('=') + 1);
    remember(cookieValue);
    for (const part of cookieValue.split('.').slice(1)) remember(part);
    const csrf = (await app.inject({ url: '/csrf-token', headers: { cookie } })).json().csrf_token;
    remember(csrf);
    assert.equal((await app.inject({ url: '/profile', headers: { cookie } })).statusCode, 200);
    assert.equal((await post('/cart/add', { item_id: 1 }, { cookie, 'x-csrf-token': csrf })).statusCode, 200);
    // A client that sends its cookie in the URL is not authenticated by it, nor logged with it.
    assert.equal((await app.inject({ url: `/profile?sid=${encodeURIComponent(cookieValue)}` })).statusCode, 401);

    // Bearer: login, a call, refresh, the old and new tokens, revoke.
    const pair = (await post('/token', { username: 'alice', password: PASSWORD })).json();
    remember(pair.access_token);
    remember(pair.refresh_token);
    assert.equal((await app.inject({ url: '/user/me', headers: { authorization: `Bearer ${pair.access_token}` } })).statusCode, 200);
    const next = (await post('/token/refresh', { refresh_token: pair.refresh_token })).json();
    remember(next.access_token);
    remember(next.refresh_token);
    assert.equal((await post('/token/refresh', { refresh_token: `${next.refresh_token.slice(0, -4)}AAAA` })).statusCode, 401, 'a forged refresh token');
    // Tokens in the URL are refused, and the request line that recorded them shows no value.
    for (const name of ['refresh_token', 'access_token', 'token']) {
      const res = await app.inject({ url: `/user/me?${name}=${encodeURIComponent(next.refresh_token)}` });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.code, 'ERR_TOKEN_IN_URL');
    }
    assert.equal((await app.inject({ url: '/user/me', headers: { authorization: `Bearer ${next.access_token}x` } })).statusCode, 401, 'a damaged token');
    assert.equal((await post('/token/revoke', { token: next.refresh_token })).statusCode, 200);
    assert.equal((await app.inject({ url: '/user/me', headers: { authorization: `Bearer ${next.access_token}` } })).statusCode, 401);
    assert.equal((await post('/logout', {}, { cookie, 'x-csrf-token': csrf })).statusCode, 200);

    const text = log.text();
    const lines = text.split('\n').filter((line) => line.length > 0);
    // The log is not empty, and it did record the requests that carried tokens in the URL.
    assert.ok(lines.length > 30, `${lines.length} log lines`);
    assert.ok(text.includes('refresh_token=[redacted]'), 'the refused request is logged, without its value');
    assert.ok(text.includes('sid=[redacted]'));
    assert.ok(secrets.size >= 9, `${secrets.size} credentials collected`);
    for (const value of secrets) {
      for (const form of new Set([value, encodeURIComponent(value)])) {
        const line = lines.find((l) => l.includes(form));
        assert.equal(line, undefined, `a credential (${form.slice(0, 6)}…) is in the log: ${line?.slice(0, 300)}`);
      }
    }
    assert.doesNotMatch(text, /authorization|"cookie"|set-cookie/i, 'no header that carries a credential is logged');
  });
});
