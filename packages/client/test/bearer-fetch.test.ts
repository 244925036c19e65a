// The SPA side of bearer mode, over real HTTP against a real Fastify app with
// @coatcheck/tokens and a realtime hub: one refresh for many expired requests, the end of the
// session reported once, and socket reconnections that show the current access token.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { CLOSE_CODES } from '@coatcheck/realtime';
import { createBearerFetch, createRealtimeClient, type SessionEndedEvent, type WebSocketConstructor } from '@coatcheck/client';
import { tokenServer } from './token-server.js';

async function waitFor(what: string, check: () => boolean, capMs = 5000): Promise<void> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > capMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('createBearerFetch', () => {
  it('RT-04 parallel requests with an expired access token share exactly one refresh, then each is retried once', async () => {
    const s = await tokenServer();
    const auth = createBearerFetch({ refreshUrl: '/token/refresh', baseUrl: s.base, tokens: await s.login() });
    assert.equal((await auth.fetch('/me')).status, 200);
    // The server's clock moves past exp and its 30 s tolerance; the client does not know.
    s.clock.advance(931_000);
    const responses = await Promise.all([
      ...Array.from({ length: 6 }, () => auth.fetch('/me')),
      auth.fetch('/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: 7 }) }),
    ]);
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200, 200, 200, 200, 200],
    );
    assert.equal(s.seen.refreshes, 1, 'one refresh for all of them');
    assert.deepEqual(await responses[6]!.json(), { body: { n: 7 }, userId: 'user-1' }, 'the retried POST carried its body');
    const bearers = new Set(s.seen.authorization);
    assert.equal(bearers.size, 2, 'the old token, then the refreshed one');
    for (const value of bearers) assert.match(String(value), /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('RT-02 a refused refresh (reused refresh token) ends the session once and stops refreshing', async () => {
    const s = await tokenServer();
    const ended: SessionEndedEvent[] = [];
    const pair = await s.login();
    const auth = createBearerFetch({ refreshUrl: `${s.base}/token/refresh`, tokens: pair, onSessionEnded: (e) => ended.push(e) });
    // Someone else (a thief) rotated this refresh token first: the client's copy is now a replay.
    assert.equal((await s.tokens.refresh(pair.refresh_token)).ok, true);
    s.clock.advance(931_000);
    const responses = await Promise.all([auth.fetch(`${s.base}/me`), auth.fetch(`${s.base}/me`), auth.fetch(`${s.base}/me`)]);
    assert.deepEqual(
      responses.map((r) => r.status),
      [401, 401, 401],
    );
    assert.equal(s.seen.refreshes, 1);
    assert.deepEqual(ended, [{ code: 'ERR_REFRESH_TOKEN_REUSED', otherTab: false }], 'told once');
    assert.equal(await auth.accessToken(), null);
    // Stopped: the next request goes without a token and triggers no refresh.
    const after = await auth.fetch(`${s.base}/me`);
    assert.equal(after.status, 401);
    assert.equal(s.seen.refreshes, 1);
    assert.equal(s.seen.authorization.at(-1), undefined);
  });

  it('an ended session (ERR_TOKEN_SESSION_ENDED) is reported without a refresh attempt', async () => {
    const s = await tokenServer();
    const ended: SessionEndedEvent[] = [];
    const pair = await s.login();
    const auth = createBearerFetch({ refreshUrl: `${s.base}/token/refresh`, tokens: pair, onSessionEnded: (e) => ended.push(e) });
    assert.equal(await s.tokens.revoke(pair.refresh_token), true);
    assert.equal((await auth.fetch(`${s.base}/me`)).status, 401);
    assert.deepEqual(ended, [{ code: 'ERR_TOKEN_SESSION_ENDED', otherTab: false }]);
    assert.equal(s.seen.refreshes, 0);
  });

  it('CK-10 never sends the token to another origin or in a URL', async () => {
    const s = await tokenServer();
    const other = await tokenServer();
    const auth = createBearerFetch({ refreshUrl: `${s.base}/token/refresh`, tokens: await s.login() });
    assert.equal((await auth.fetch(`${other.base}/me`)).status, 401);
    assert.deepEqual(other.seen.authorization, [undefined], 'a third-party host got no Authorization header');
    assert.equal(other.seen.refreshes + s.seen.refreshes, 0, 'and its 401 triggered no refresh');
    s.clock.advance(931_000);
    assert.equal((await auth.fetch(`${s.base}/me`)).status, 200, 'refreshed and retried');
    assert.equal(s.seen.refreshes, 1);
    assert.deepEqual(s.seen.urls, ['/login', '/me', '/token/refresh', '/me'], 'no token or query string in any URL');
  });

  it('WS-07 a socket reconnection after the access token rotated shows the new token', async () => {
    const s = await tokenServer();
    const auth = createBearerFetch({ refreshUrl: `${s.base}/token/refresh`, tokens: await s.login(), now: s.clock.now });
    const closes: { code: number; willReconnect: boolean }[] = [];
    const live = createRealtimeClient({
      url: s.ws,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      token: () => auth.accessToken(),
      minDelayMs: 10,
      maxDelayMs: 50,
      onClose: (e) => closes.push(e),
    });
    after(() => live.close());
    await waitFor('open', () => live.state === 'open');
    const first = s.seen.socketTokens[0];
    assert.equal(await auth.refresh(), true);
    const rotated = await auth.accessToken();
    assert.notEqual(rotated, first);
    // The server restarts the connection (a deploy, a stale socket): the client reconnects.
    s.hub.disconnect({ userId: 'user-1' }, CLOSE_CODES.STALE, 'test');
    await waitFor('reconnected', () => closes.length === 1 && live.state === 'open');
    assert.deepEqual(s.seen.socketTokens, [first, rotated]);
  });

  it('WS-07 the hub closes the socket when its token expires (4441); the client refreshes and reconnects', async () => {
    const s = await tokenServer();
    const pair = await s.login();
    const auth = createBearerFetch({ refreshUrl: `${s.base}/token/refresh`, tokens: pair, now: s.clock.now, refreshMarginMs: 0 });
    // Two seconds before the token's exp (on the clock server and client share), it connects.
    s.clock.advance(pair.expires_in * 1000 - 2000);
    const closes: { code: number; willReconnect: boolean }[] = [];
    const live = createRealtimeClient({
      url: s.ws,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      token: () => auth.accessToken(),
      minDelayMs: 10,
      maxDelayMs: 50,
      onClose: (e) => {
        closes.push(e);
        // The clock catches up with the real time that passed: the old token is past exp.
        if (e.code === CLOSE_CODES.TOKEN_EXPIRED) s.clock.advance(3000);
      },
    });
    after(() => live.close());
    await waitFor('open', () => live.state === 'open');
    assert.deepEqual(s.seen.socketTokens, [pair.access_token]);
    await waitFor('the token-expiry close and a reconnection', () => closes.length === 1 && live.state === 'open', 10_000);
    assert.deepEqual(closes, [{ code: CLOSE_CODES.TOKEN_EXPIRED, reason: 'token expired', willReconnect: true }]);
    assert.equal(s.seen.refreshes, 1, 'accessToken() refreshed the lapsed token once');
    assert.equal(s.seen.socketTokens.length, 2);
    assert.notEqual(s.seen.socketTokens[1], pair.access_token, 'the reconnection used the refreshed token');
  });
});

describe('in-band re-authentication', () => {
  it("WS-07 with tokenGraceMs the client answers the hub's reauthenticate with a refreshed token and stays connected", async () => {
    const s = await tokenServer({ tokenGraceMs: 5000 });
    const pair = await s.login();
    const auth = createBearerFetch({ refreshUrl: `${s.base}/token/refresh`, tokens: pair, now: s.clock.now, refreshMarginMs: 0 });
    s.clock.advance(pair.expires_in * 1000 - 2000);
    // The shared clock catches up with real time when the hub asks (its timer ran on real time).
    const Clocked = class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        this.on('message', (data) => {
          if (String(data) === '{"type":"reauthenticate"}') s.clock.advance(3000);
        });
      }
    };
    const closes: { code: number }[] = [];
    const live = createRealtimeClient({
      url: s.ws,
      WebSocket: Clocked as unknown as WebSocketConstructor,
      token: () => auth.accessToken(),
      onClose: (e) => closes.push(e),
    });
    after(() => live.close());
    await waitFor('open', () => live.state === 'open');
    await waitFor('the renewal', () => s.seen.socketTokens.length === 2, 10_000);
    assert.equal(s.seen.refreshes, 1);
    assert.notEqual(s.seen.socketTokens[1], pair.access_token);
    assert.equal(s.seen.socketTokens[1], await auth.accessToken(), 'the refreshed token was shown in band');
    assert.equal(s.hub.stats.connections, 1);
    assert.deepEqual(closes, [], 'no reconnection was needed');
  });
});

describe('close codes', () => {
  it('the browser bundle carries the same codes as the hub; 4441 and 4008 are not terminal', async () => {
    const client = await import('@coatcheck/client');
    const hub = await import('@coatcheck/realtime');
    for (const [name, code] of Object.entries(client.CLOSE_CODES)) assert.equal(code, (hub.CLOSE_CODES as Record<string, number>)[name], name);
    assert.deepEqual([...client.TERMINAL_CLOSE_CODES].sort(), [...hub.TERMINAL_CLOSE_CODES].sort());
    assert.ok(!client.TERMINAL_CLOSE_CODES.includes(CLOSE_CODES.TOKEN_EXPIRED));
    assert.ok(!client.TERMINAL_CLOSE_CODES.includes(client.CLOSE_CODES.RATE_LIMITED));
    // And the other way round, so a code added to the hub cannot be forgotten here.
    const missing = Object.keys(hub.CLOSE_CODES).filter((name) => !(name in client.CLOSE_CODES));
    assert.deepEqual(missing, ['MESSAGE_TOO_BIG'], 'the client knows every code of the hub but the standard 1009');
  });
});
