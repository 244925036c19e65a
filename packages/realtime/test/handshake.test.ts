// WS-01..03: a socket exists only after its upgrade authenticated; cross-site handshakes
// with the ambient cookie are refused; tokens never travel in the URL; bearer tokens work
// through the subprotocol and the first message, through a pluggable verifier.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { createHub, CLOSE_CODES, PROTOCOL, type VerifyBearer } from '@coatcheck/realtime';
import { connect, createManager, login, ORIGIN, quiet, ready, refusal, serve } from './helpers.js';

// A stand-in for the token package's verifier: a token is "valid.<sessionId>.<userId>".
const testVerifier: VerifyBearer = async (token) => {
  const [kind, sessionId, userId] = token.split('.');
  return kind === 'valid' && sessionId && userId ? { sessionId, userId } : null;
};

describe('handshake', () => {
  it('WS-01 no cookie and no ticket: 401, no socket', async () => {
    const { url, hub } = await serve(createManager());
    const { status, body } = await refusal(url);
    assert.equal(status, 401);
    assert.equal(JSON.parse(body).error, 'ERR_REALTIME_UNAUTHENTICATED');
    assert.equal(hub.stats.connections, 0);
  });

  it('WS-01 an expired or logged-out session: 401', async () => {
    const manager = createManager();
    const { url } = await serve(manager);
    const { cookie } = await login(manager, 'alice');
    const session = await manager.load({ cookie, secure: false });
    await session.logout();
    assert.equal((await refusal(url, { cookie })).status, 401);
    assert.equal((await refusal(url, { cookie: 'coatcheck=forged.value' })).status, 401);
  });

  it('WS-02 a valid cookie from a foreign Origin, or with no Origin: 403', async () => {
    const manager = createManager();
    const { url } = await serve(manager);
    const { cookie } = await login(manager, 'alice');
    for (const origin of ['https://evil.example', 'http://app.test.evil.example', 'null', null]) {
      const { status, body } = await refusal(url, { cookie, origin });
      assert.equal(status, 403, `origin ${origin}`);
      assert.equal(JSON.parse(body).error, 'ERR_REALTIME_ORIGIN');
    }
    const client = await ready(url, { cookie });
    client.ws.close();
  });

  it('WS-03 a credential in the query string is refused even with a valid cookie', async () => {
    const manager = createManager();
    const { url } = await serve(manager);
    const { cookie } = await login(manager, 'alice');
    for (const query of ['?token=abc', '?access_token=abc', '?session=x', '?ticket=1', '?a=1&jwt=x']) {
      const { status, body } = await refusal(url + query, { cookie });
      assert.equal(status, 401, query);
      assert.equal(JSON.parse(body).error, 'ERR_REALTIME_TOKEN_IN_URL');
    }
  });

  it('WS-03 a bearer token in Sec-WebSocket-Protocol authenticates through the verifier; the token is never echoed', async () => {
    const manager = createManager();
    const { url } = await serve(manager, { verifyBearer: testVerifier });
    const { id } = await login(manager, 'bob');
    const client = await ready(url, { origin: null, protocols: [PROTOCOL, `coatcheck.bearer.valid.${id}.bob`] });
    assert.equal(client.ws.protocol, PROTOCOL);
    client.ws.close();
    assert.equal((await refusal(url, { origin: null, protocols: [PROTOCOL, 'coatcheck.bearer.forged'] })).status, 401);
    // Valid token shape, but the session is not bob's, or not alive.
    assert.equal((await refusal(url, { origin: null, protocols: [PROTOCOL, `coatcheck.bearer.valid.${id}.mallory`] })).status, 401);
    assert.equal((await refusal(url, { origin: 'https://evil.example', protocols: [PROTOCOL, `coatcheck.bearer.valid.${id}.bob`] })).status, 403);
  });

  it('WS-03 first-message authentication: auth within the deadline binds the socket; silence closes it with 4001', async () => {
    const manager = createManager();
    const { url } = await serve(manager, { verifyBearer: testVerifier, authTimeoutMs: 150 });
    const { id } = await login(manager, 'carol');
    const good = connect(url, { origin: null });
    await new Promise((resolve) => good.ws.once('open', resolve));
    good.ws.send(JSON.stringify({ type: 'auth', token: `valid.${id}.carol` }));
    await good.next('ready');
    good.ws.close();
    const silent = connect(url, { origin: null });
    assert.equal((await silent.closed).code, CLOSE_CODES.UNAUTHENTICATED);
    const wrong = connect(url, { origin: null });
    await new Promise((resolve) => wrong.ws.once('open', resolve));
    wrong.ws.send(JSON.stringify({ type: 'join', room: 'x' }));
    assert.equal((await wrong.closed).code, CLOSE_CODES.UNAUTHENTICATED);
  });

  it('WS-03 two auth messages sent at once bind the socket once: the first one decides', async () => {
    const manager = createManager();
    const { id } = await login(manager, 'erin');
    const second = await login(manager, 'erin');
    let calls = 0;
    let connections = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const verifyBearer: VerifyBearer = async (token) => {
      calls++;
      await gate;
      return testVerifier(token);
    };
    const { url } = await serve(manager, { verifyBearer, authTimeoutMs: 10_000, onConnection: () => void connections++ });
    const client = connect(url, { origin: null });
    await new Promise((resolve) => client.ws.once('open', resolve));
    client.ws.send(JSON.stringify({ type: 'auth', token: `valid.${id}.erin` }));
    client.ws.send(JSON.stringify({ type: 'auth', token: `valid.${second.id}.erin` }));
    // The server answers a ping after it has handled every frame sent before it.
    client.ws.ping();
    await new Promise((resolve) => client.ws.once('pong', resolve));
    release();
    await client.next('ready');
    client.ws.send(JSON.stringify({ type: 'heartbeat' }));
    await client.next('heartbeat');
    assert.equal(calls, 1);
    assert.equal(connections, 1);
    assert.equal(client.frames.filter((f) => f.type === 'ready').length, 1);
    client.ws.close();
  });

  it('WS-13 connections beyond the per-user limit are refused with 429', async () => {
    const manager = createManager();
    const { url } = await serve(manager, { maxConnectionsPerUser: 2 });
    const { cookie } = await login(manager, 'dave');
    const open = [await ready(url, { cookie }), await ready(url, { cookie })];
    assert.equal((await refusal(url, { cookie })).status, 429);
    for (const c of open) c.ws.close();
  });

  it('WS-01 works through Fastify: the hub answers the upgrade event of fastify.server', async (t) => {
    const manager = createManager();
    const app = Fastify();
    const hub = createHub({ manager, origins: [ORIGIN], logger: quiet });
    hub.attach(app.server);
    // preClose, not onClose: the server waits for upgraded sockets before onClose runs.
    app.addHook('preClose', () => hub.close());
    app.get('/', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    t.after(() => app.close());
    const url = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ws`;
    assert.equal((await refusal(url)).status, 401);
    const { cookie } = await login(manager, 'erin');
    const client = await ready(url, { cookie });
    assert.equal(hub.stats.connections, 1);
    const closed = client.closed;
    await app.close();
    assert.equal((await closed).code, CLOSE_CODES.GOING_AWAY);
  });
});
