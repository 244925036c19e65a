import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCsrfGuard, createSessionManager, SessionConfigError, type Session } from '../src/index.js';
import { isFormContentType } from '../src/http/index.js';
import { memoryStore } from '../src/store/memory-store.js';
import { createKeyRing } from '../src/ticket/key-ring.js';
import { createCsrfToken, verifyCsrfToken } from '../src/csrf/csrf-token.js';
import { cryptoRandom } from '../src/ticket/ticket.js';

const SECRET = 'csrf-test-secret-5e1d9c3b7a2f8e4d6c0b9a3f7e1d5c8b';
const OLD = 'old-csrf-secret-2b9e4d7a1c6f3e8b5a0d9c2f7e4b1a6d';
const ID = 'AAAAAAAAAAAAAAAAAAAAAAAA';
const TICKET_SECRET = 'B'.repeat(43);

async function liveSession(): Promise<Session> {
  const manager = createSessionManager({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets: [SECRET], production: false });
  const first = await manager.load({ secure: true });
  await first.login('alice');
  const cookie = ((await first.commit())[0] as string).split(';')[0];
  // Loaded from the cookie, as the next request would be.
  return manager.load({ secure: true, cookie });
}

const request = (over: Partial<Parameters<ReturnType<typeof createCsrfGuard>['check']>[0]> = {}) => ({
  method: 'POST',
  target: 'https://shop.example',
  origin: undefined,
  secFetchSite: undefined,
  authorization: false,
  ...over,
});

describe('CSRF token', () => {
  it('CS-11 masked: every token differs, all verify, and the raw unmasked MAC is refused', () => {
    const ring = createKeyRing([SECRET], 'csrf-token');
    const tokens = Array.from({ length: 20 }, () => createCsrfToken(ring, cryptoRandom, ID, TICKET_SECRET));
    assert.equal(new Set(tokens).size, 20);
    for (const token of tokens) assert.equal(verifyCsrfToken(ring, ID, TICKET_SECRET, token), true);
    assert.equal(verifyCsrfToken(ring, ID, TICKET_SECRET, ring.sign(`${ID}.${TICKET_SECRET}`)), false);
  });

  it('CS-10 wrong lengths, alphabets and types are refused without throwing', () => {
    const ring = createKeyRing([SECRET], 'csrf-token');
    const token = createCsrfToken(ring, cryptoRandom, ID, TICKET_SECRET);
    for (const bad of ['', 'a', token.slice(0, -1), `${token}A`, token.replace(/[A-Za-z]/, '+'), `${token.slice(0, -1)}=`, 'é'.repeat(86), null, undefined, 42, [token], { token }]) {
      assert.equal(verifyCsrfToken(ring, ID, TICKET_SECRET, bad), false, String(bad).slice(0, 20));
    }
  });

  it('CS-02 a token is bound to one ticket: another id or secret, or a ticket-signing key, does not verify it', () => {
    const ring = createKeyRing([SECRET], 'csrf-token');
    const token = createCsrfToken(ring, cryptoRandom, ID, TICKET_SECRET);
    assert.equal(verifyCsrfToken(ring, 'C'.repeat(24), TICKET_SECRET, token), false);
    assert.equal(verifyCsrfToken(ring, ID, 'D'.repeat(43), token), false);
    assert.equal(verifyCsrfToken(createKeyRing([SECRET], 'session-ticket'), ID, TICKET_SECRET, token), false);
  });

  it('TG-11 tokens signed with a rotated-out key still verify while it is configured', () => {
    const token = createCsrfToken(createKeyRing([OLD], 'csrf-token'), cryptoRandom, ID, TICKET_SECRET);
    assert.equal(verifyCsrfToken(createKeyRing([SECRET, OLD], 'csrf-token'), ID, TICKET_SECRET, token), true);
    assert.equal(verifyCsrfToken(createKeyRing([SECRET], 'csrf-token'), ID, TICKET_SECRET, token), false);
  });
});

describe('CSRF guard', () => {
  it('CS-08 only GET, HEAD, OPTIONS and TRACE in exact case are safe', async () => {
    const guard = createCsrfGuard();
    const session = await liveSession();
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'TRACE']) assert.equal(guard.check(request({ method, origin: 'https://evil.example' }), session), null);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'post', 'PoSt', 'get', 'PROPFIND']) {
      assert.ok(guard.check(request({ method, origin: 'https://evil.example' }), session) instanceof Error, method);
    }
  });

  it('CS-06 CS-07 the decision table', async () => {
    const guard = createCsrfGuard({ trustedOrigins: ['https://admin.shop.example'] });
    const live = await liveSession();
    const cases: Array<[Partial<ReturnType<typeof request>>, string | null]> = [
      [{ secFetchSite: 'same-origin' }, null],
      [{ secFetchSite: 'none' }, null],
      [{ secFetchSite: 'same-site', origin: 'https://blog.shop.example' }, 'cross-site'],
      [{ secFetchSite: 'same-site', origin: 'https://admin.shop.example' }, null],
      [{ secFetchSite: 'cross-site', origin: 'https://evil.example' }, 'cross-site'],
      [{ origin: 'https://shop.example' }, null],
      [{ origin: 'https://admin.shop.example' }, null],
      [{ origin: 'null' }, 'origin'],
      [{ origin: 'https://shop.example.evil.com' }, 'origin'],
      [{ origin: 'http://shop.example' }, 'origin'],
      [{}, 'token'],
      [{ authorization: true }, 'token'],
    ];
    for (const [over, expected] of cases) {
      const verdict = guard.check(request(over), live);
      const got = verdict === null || verdict === 'token' ? verdict : verdict.reason;
      assert.equal(got, expected, JSON.stringify(over));
    }
  });

  it('without a live session cookie: bearer requests and header-less clients pass; a foreign Origin is still refused (CS-05)', async () => {
    const guard = createCsrfGuard();
    const manager = createSessionManager({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets: [SECRET], production: false });
    const anonymous = await manager.load({ secure: true });
    assert.equal(guard.check(request({ authorization: true, origin: 'https://evil.example', secFetchSite: 'cross-site' }), anonymous), null);
    assert.equal(guard.check(request(), anonymous), null);
    const refused = guard.check(request({ origin: 'https://evil.example' }), anonymous);
    assert.ok(refused instanceof Error && refused.code === 'ERR_SESSION_CSRF' && refused.statusCode === 403);
  });

  it('checkToken: missing and invalid tokens have their own reasons; the session\'s own token passes', async () => {
    const guard = createCsrfGuard();
    const session = await liveSession();
    assert.equal(guard.checkToken(session, undefined)?.reason, 'token-missing');
    assert.equal(guard.checkToken(session, 'x'.repeat(86))?.reason, 'token-invalid');
    assert.equal(guard.checkToken(session, await session.csrfToken()), null);
  });

  it('checkToken with an unread form body: the missing token says to mount the body parser, with the adapter\'s fix', async () => {
    const guard = createCsrfGuard({ fieldName: 'authenticity_token' });
    const session = await liveSession();
    const fix = { fix: 'Mount the parser before session().' };
    const missing = guard.checkToken(session, undefined, fix);
    assert.equal(missing?.reason, 'token-missing');
    assert.equal(missing?.code, 'ERR_SESSION_CSRF');
    assert.equal(missing?.statusCode, 403);
    assert.match(missing?.message ?? '', /checked in the authenticity_token form field, but no body parser had read the form when the session middleware ran\. Mount the parser before session\(\)\. Any request may send the token in the x-csrf-token header instead\.$/);
    // Without the hint, the usual message; with a token, the token decides.
    assert.doesNotMatch(guard.checkToken(session, undefined)?.message ?? '', /body parser/);
    assert.equal(guard.checkToken(session, 'x'.repeat(86), fix)?.reason, 'token-invalid');
    assert.equal(guard.checkToken(session, await session.csrfToken(), fix), null);
  });

  it('isFormContentType: urlencoded and multipart forms, with parameters and any case; nothing else', () => {
    for (const type of ['application/x-www-form-urlencoded', 'Application/X-WWW-Form-Urlencoded; charset=UTF-8', 'multipart/form-data; boundary=----x']) {
      assert.equal(isFormContentType(type), true, type);
    }
    for (const type of ['application/json', 'text/plain', 'multipart/form-datax', 'application/x-www-form-urlencodedx', '', undefined, null]) {
      assert.equal(isFormContentType(type), false, String(type));
    }
  });

  it('misconfigured trusted origins fail at start-up with a message that says how to fix them', () => {
    for (const bad of ['https://shop.example/', 'shop.example', 'https://shop.example/path', '*', 'null', 42]) {
      assert.throws(() => createCsrfGuard({ trustedOrigins: [bad as string] }), (error: unknown) => error instanceof SessionConfigError && /scheme:\/\/host/.test(error.message));
    }
    assert.throws(() => createCsrfGuard({ headerName: 'x csrf' }), SessionConfigError);
    assert.throws(() => createSessionManager({ store: memoryStore({ quiet: true }), secrets: [SECRET], csrf: { trustedOrigins: ['https://a.example/'] } }), SessionConfigError);
    assert.equal(createSessionManager({ store: memoryStore({ quiet: true, sweepIntervalMs: 0 }), secrets: [SECRET], csrf: false }).csrf, null);
  });
});
