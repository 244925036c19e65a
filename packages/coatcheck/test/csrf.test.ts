import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager, SessionConfigError, type Session } from '../src/index.js';
import { createCsrfGuard, isFormContentType } from '../src/http/index.js';
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
    for (const bad of [
      '',
      'a',
      token.slice(0, -1),
      `${token}A`,
      token.replace(/[A-Za-z]/, '+'),
      `${token.slice(0, -1)}=`,
      'é'.repeat(86),
      null,
      undefined,
      42,
      [token],
      { token },
    ]) {
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

  // The rows both modes share; only a request with neither header differs (CS-14, CS-15).
  const SHARED_ROWS: Array<[Partial<ReturnType<typeof request>>, string | null]> = [
    [{ secFetchSite: 'same-origin' }, null],
    [{ secFetchSite: 'none' }, null],
    [{ secFetchSite: 'same-site', origin: 'https://blog.shop.example' }, 'cross-site'],
    [{ secFetchSite: 'same-site', origin: 'https://admin.shop.example' }, null],
    [{ secFetchSite: 'cross-site', origin: 'https://evil.example' }, 'cross-site'],
    [{ secFetchSite: 'cross-site' }, 'cross-site'],
    [{ origin: 'https://shop.example' }, null],
    [{ origin: 'https://admin.shop.example' }, null],
    [{ origin: 'null' }, 'origin'],
    [{ origin: 'https://shop.example.evil.com' }, 'origin'],
    // Go's rule compares only Origin's host with Host; the scheme counts here.
    [{ origin: 'http://shop.example' }, 'origin'],
    [{ origin: 'https://shop.example:8443' }, 'origin'],
  ];

  const decide = (guard: ReturnType<typeof createCsrfGuard>, over: Partial<ReturnType<typeof request>>, session: Session) => {
    const verdict = guard.check(request(over), session);
    return verdict === null || verdict === 'token' ? verdict : verdict.reason;
  };

  it('CS-06 CS-07 CS-14 the decision table, standard mode: a request with neither header passes', async () => {
    const guard = createCsrfGuard({ trustedOrigins: ['https://admin.shop.example'] });
    assert.equal(guard.mode, 'standard');
    const live = await liveSession();
    for (const [over, expected] of [...SHARED_ROWS, [{}, null], [{ authorization: true }, null]] as typeof SHARED_ROWS) {
      assert.equal(decide(guard, over, live), expected, JSON.stringify(over));
    }
  });

  it('CS-06 CS-07 CS-15 the decision table, strict mode: with a live cookie and neither header, the token is required', async () => {
    const guard = createCsrfGuard({ trustedOrigins: ['https://admin.shop.example'], mode: 'strict' });
    assert.equal(guard.mode, 'strict');
    const live = await liveSession();
    for (const [over, expected] of [...SHARED_ROWS, [{}, 'token'], [{ authorization: true }, 'token']] as typeof SHARED_ROWS) {
      assert.equal(decide(guard, over, live), expected, JSON.stringify(over));
    }
  });

  it('CS-05 without a live session cookie: bearer requests and header-less clients pass in both modes; a foreign Origin is still refused', async () => {
    const manager = createSessionManager({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets: [SECRET], production: false });
    const anonymous = await manager.load({ secure: true });
    for (const guard of [createCsrfGuard(), createCsrfGuard({ mode: 'strict' })]) {
      assert.equal(guard.check(request({ authorization: true, origin: 'https://evil.example', secFetchSite: 'cross-site' }), anonymous), null, guard.mode);
      assert.equal(guard.check(request(), anonymous), null, guard.mode);
      const refused = guard.check(request({ origin: 'https://evil.example' }), anonymous);
      assert.ok(refused instanceof Error && refused.code === 'ERR_SESSION_CSRF' && refused.statusCode === 403, guard.mode);
    }
  });

  it('refusals tell a script client what to do: send neither header (standard), or the token or a bearer token (strict)', async () => {
    const session = await liveSession();
    const crossSite = createCsrfGuard().check(request({ secFetchSite: 'cross-site', origin: 'https://evil.example' }), session);
    assert.match(crossSite instanceof Error ? crossSite.message : '', /non-browser client should send neither Sec-Fetch-Site nor Origin/);
    const origin = createCsrfGuard().check(request({ origin: 'https://evil.example' }), session);
    assert.match(origin instanceof Error ? origin.message : '', /non-browser client should not send an Origin header/);
    const missing = createCsrfGuard({ mode: 'strict' }).checkToken(session, undefined)?.message ?? '';
    assert.match(missing, /csrf\.mode is 'strict'/);
    assert.match(missing, /send it in the x-csrf-token header, or authenticate with a bearer token/);
  });

  it("checkToken: missing and invalid tokens have their own reasons; the session's own token passes", async () => {
    const guard = createCsrfGuard();
    const session = await liveSession();
    assert.equal(guard.checkToken(session, undefined)?.reason, 'token-missing');
    assert.equal(guard.checkToken(session, 'x'.repeat(86))?.reason, 'token-invalid');
    assert.equal(guard.checkToken(session, await session.csrfToken()), null);
  });

  it("checkToken with an unread form body: the missing token says to mount the body parser, with the adapter's fix", async () => {
    const guard = createCsrfGuard({ fieldName: 'authenticity_token' });
    const session = await liveSession();
    const fix = { fix: 'Mount the parser before session().' };
    const missing = guard.checkToken(session, undefined, fix);
    assert.equal(missing?.reason, 'token-missing');
    assert.equal(missing?.code, 'ERR_SESSION_CSRF');
    assert.equal(missing?.statusCode, 403);
    assert.match(
      missing?.message ?? '',
      /checked in the authenticity_token form field, but no body parser had read the form when the session middleware ran\. Mount the parser before session\(\)\. Any request may send the token in the x-csrf-token header instead\.$/,
    );
    // Without the hint, the usual message; with a token, the token decides.
    assert.doesNotMatch(guard.checkToken(session, undefined)?.message ?? '', /body parser/);
    assert.equal(guard.checkToken(session, 'x'.repeat(86), fix)?.reason, 'token-invalid');
    assert.equal(guard.checkToken(session, await session.csrfToken(), fix), null);
  });

  it('the manager emits csrfRefused with the rule and the public session id on every refusal, and nothing when a request passes', async () => {
    const manager = createSessionManager({
      store: memoryStore({ sweepIntervalMs: 0, quiet: true }),
      secrets: [SECRET],
      production: false,
      csrf: { mode: 'strict' },
    });
    const refusals: unknown[] = [];
    manager.events.on('csrfRefused', (event) => refusals.push(event));
    const guard = manager.csrf as NonNullable<typeof manager.csrf>;
    const first = await manager.load({ secure: true });
    await first.login('alice');
    const cookie = ((await first.commit())[0] as string).split(';')[0];
    const live = await manager.load({ secure: true, cookie });
    const anonymous = await manager.load({ secure: true });
    assert.equal(guard.check(request({ secFetchSite: 'same-origin' }), live), null);
    assert.equal(guard.checkToken(live, await live.csrfToken()), null);
    assert.deepEqual(refusals, [], 'allowed requests emit nothing');
    guard.check(request({ secFetchSite: 'cross-site' }), live);
    guard.check(request({ origin: 'https://evil.example' }), anonymous);
    guard.checkToken(live, undefined);
    guard.checkToken(live, undefined, { fix: 'Mount the parser.' });
    guard.checkToken(live, 'x'.repeat(86));
    assert.deepEqual(refusals, [
      { reason: 'cross-site', sessionId: live.id },
      { reason: 'origin', sessionId: null },
      { reason: 'token-missing', sessionId: live.id },
      { reason: 'token-missing', sessionId: live.id },
      { reason: 'token-invalid', sessionId: live.id },
    ]);
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
      assert.throws(
        () => createCsrfGuard({ trustedOrigins: [bad as string] }),
        (error: unknown) => error instanceof SessionConfigError && /scheme:\/\/host/.test(error.message),
      );
    }
    assert.throws(() => createCsrfGuard({ headerName: 'x csrf' }), SessionConfigError);
    for (const bad of ['Strict', 'lax', true, 1, null, '']) {
      assert.throws(
        () => createCsrfGuard({ mode: bad as 'strict' }),
        (error: unknown) => error instanceof SessionConfigError && /csrf\.mode must be 'standard' .* or 'strict'/.test(error.message),
        String(bad),
      );
    }
    assert.throws(() => createSessionManager({ store: memoryStore({ quiet: true }), secrets: [SECRET], csrf: { mode: 'on' as 'strict' } }), SessionConfigError);
    assert.equal(createCsrfGuard({ mode: undefined }).mode, 'standard');
    assert.throws(
      () => createSessionManager({ store: memoryStore({ quiet: true }), secrets: [SECRET], csrf: { trustedOrigins: ['https://a.example/'] } }),
      SessionConfigError,
    );
    assert.equal(createSessionManager({ store: memoryStore({ quiet: true, sweepIntervalMs: 0 }), secrets: [SECRET], csrf: false }).csrf, null);
  });
});
