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

const bearer = (id: string, user: string, expiresAt?: number) => [PROTOCOL, `coatcheck.bearer.valid.${id}.${user}${expiresAt === undefined ? '' : `.${expiresAt}`}`];

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

  it('WS-07 tokenGraceMs keeps the socket open that much longer, and is capped at 30 s', async () => {
    const manager = createManager();
    const { url } = await serve(manager, { verifyBearer: expiringVerifier, tokenGraceMs: 300 });
    const { id } = await login(manager, 'fay');
    const expiresAt = Date.now() + 100;
    const client = await ready(url, { origin: null, protocols: bearer(id, 'fay', expiresAt) });
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
});
