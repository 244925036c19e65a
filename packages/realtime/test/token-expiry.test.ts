// WS-07: a socket opened with a bearer token lives no longer than that token (plus the
// configured grace); the client reconnects with a fresh one. Cookie sockets are unaffected.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLOSE_CODES, createHub, PROTOCOL, type VerifyBearer } from '@coatcheck/realtime';
import { createManager, login, quiet, ready, refusal, serve, waitFor } from './helpers.js';

// "valid.<sessionId>.<userId>.<expiresAt ms>": a stand-in for the token package's verifier.
const expiringVerifier: VerifyBearer = async (token) => {
  const [kind, sessionId, userId, exp] = token.split('.');
  return kind === 'valid' && sessionId && userId ? { sessionId, userId, ...(exp ? { expiresAt: Number(exp) } : {}) } : null;
};

const bearer = (id: string, user: string, expiresAt?: number) => [
  PROTOCOL,
  `coatcheck.bearer.valid.${id}.${user}${expiresAt === undefined ? '' : `.${expiresAt}`}`,
];

describe('bearer sockets and token expiry', () => {
  it('WS-07 the socket closes with 4441 when its access token expires; the session lives on', async () => {
    const manager = createManager();
    const { url, hub } = await serve(manager, { verifyBearer: expiringVerifier });
    const { id } = await login(manager, 'erin');
    const expiresAt = Date.now() + 400;
    const client = await ready(url, { origin: null, protocols: bearer(id, 'erin', expiresAt) });
    const { code, reason } = await client.closed;
    assert.equal(code, CLOSE_CODES.TOKEN_EXPIRED);
    assert.equal(reason, 'token expired');
    // Not before the token's exp, and not long after it (the client's reconnect needs no more).
    assert.ok(Date.now() >= expiresAt, 'closed before the token expired');
    assert.ok(Date.now() < expiresAt + 5000, 'closed far past the token expiry');
    assert.ok(!client.frames.some((f) => f.type === 'session-ended'), 'a lapsed token is not a session end');
    assert.notEqual(await manager.peek(id), null, 'the session is still alive');
    await waitFor('the hub to forget the socket', () => hub.stats.connections === 0);
    // A fresh token for the same session gets a fresh socket.
    const again = await ready(url, { origin: null, protocols: bearer(id, 'erin', Date.now() + 60_000) });
    again.ws.close();
  });

  it('WS-07 with tokenGraceMs the hub asks for a fresh token at exp and closes when none comes, capped at 30 s', async () => {
    const manager = createManager();
    const { url } = await serve(manager, { verifyBearer: expiringVerifier, tokenGraceMs: 300 });
    const { id } = await login(manager, 'fay');
    const expiresAt = Date.now() + 100;
    const client = await ready(url, { origin: null, protocols: bearer(id, 'fay', expiresAt) });
    await client.next('reauthenticate');
    assert.ok(Date.now() >= expiresAt, 'asked at the token expiry, not before');
    assert.equal((await client.closed).code, CLOSE_CODES.TOKEN_EXPIRED);
    assert.ok(Date.now() >= expiresAt + 300, 'the grace was honoured');
    assert.throws(() => createHub({ manager, origins: [], verifyBearer: expiringVerifier, tokenGraceMs: 30_001, logger: quiet }), /tokenGraceMs/);
  });

  it('WS-07 a token already past its expiresAt is refused at the handshake', async () => {
    const manager = createManager();
    const { url } = await serve(manager, { verifyBearer: expiringVerifier });
    const { id } = await login(manager, 'gus');
    assert.equal((await refusal(url, { origin: null, protocols: bearer(id, 'gus', Date.now() - 1) })).status, 401);
  });

  it('WS-07 without expiresAt (or with a cookie) the socket is bound to the session alone', async () => {
    const manager = createManager();
    const { url } = await serve(manager, { verifyBearer: expiringVerifier });
    const { id, cookie } = await login(manager, 'hal');
    const plain = await ready(url, { origin: null, protocols: bearer(id, 'hal') });
    const viaCookie = await ready(url, { cookie });
    // Wait past what a short token would have allowed: both stay open.
    const short = await ready(url, { origin: null, protocols: bearer(id, 'hal', Date.now() + 100) });
    assert.equal((await short.closed).code, CLOSE_CODES.TOKEN_EXPIRED);
    assert.equal(plain.ws.readyState, plain.ws.OPEN);
    assert.equal(viaCookie.ws.readyState, viaCookie.ws.OPEN);
    plain.ws.close();
    viaCookie.ws.close();
  });

  it('WS-07 a fresh token in an auth message keeps the socket; a bad or foreign one closes it with 4441', async () => {
    const manager = createManager();
    const { url } = await serve(manager, { verifyBearer: expiringVerifier, tokenGraceMs: 400 });
    const { id } = await login(manager, 'ida');
    const other = await login(manager, 'ida');
    const renew = (client: Awaited<ReturnType<typeof ready>>, token: string) => client.ws.send(JSON.stringify({ type: 'auth', token }));
    const good = await ready(url, { origin: null, protocols: bearer(id, 'ida', Date.now() + 100) });
    const bad = await ready(url, { origin: null, protocols: bearer(id, 'ida', Date.now() + 100) });
    const foreign = await ready(url, { origin: null, protocols: bearer(id, 'ida', Date.now() + 100) });
    await Promise.all([good, bad, foreign].map((c) => c.next('reauthenticate')));
    const renewedUntil = Date.now() + 60_000;
    renew(good, `valid.${id}.ida.${renewedUntil}`);
    renew(bad, 'garbage');
    renew(foreign, `valid.${other.id}.ida.${renewedUntil}`);
    await good.next('reauthenticated');
    assert.equal((await bad.closed).code, CLOSE_CODES.TOKEN_EXPIRED);
    assert.equal((await foreign.closed).code, CLOSE_CODES.TOKEN_EXPIRED, 'a token of another session does not re-bind the socket');
    // Past the first token's grace: the renewed socket is still open and still bound.
    const graceOver = Date.now() + 500;
    await waitFor('the old grace to pass', () => Date.now() > graceOver);
    assert.equal(good.ws.readyState, good.ws.OPEN);
    // Its session still ends it.
    await (await manager.loadById(id)).logout();
    assert.equal((await good.closed).code, CLOSE_CODES.SESSION_REVOKED);
  });

  it('WS-07 a cookie socket cannot send auth messages: an error frame, nothing changes', async () => {
    const manager = createManager();
    const { url } = await serve(manager, { verifyBearer: expiringVerifier, tokenGraceMs: 400 });
    const { id, cookie } = await login(manager, 'jon');
    const client = await ready(url, { cookie });
    client.ws.send(JSON.stringify({ type: 'auth', token: `valid.${id}.jon.${Date.now() + 100}` }));
    assert.equal((await client.next('error')).code, 'ERR_REALTIME_BAD_MESSAGE');
    assert.equal(client.ws.readyState, client.ws.OPEN);
    client.ws.close();
  });
});
