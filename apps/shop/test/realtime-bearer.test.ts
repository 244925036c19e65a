// Bearer clients on the shop's /ws: an SPA or mobile app that holds tokens from /token opens
// the socket without cookies (the access token travels as a subprotocol, never in the URL),
// gets its per-user pushes, and loses the socket when its session ends, whichever way: token
// revocation (logout), device revocation, refresh-token reuse. (WS-01, WS-04, WS-05, RT-02)
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { openSqliteDatabase } from '@coatcheck/sqlite';
import WebSocket from 'ws';
import { sqliteStore } from '@coatcheck/sqlite';
import { buildApp } from '../src/app.js';
import { TEST_HASHING } from './test-hashing.js';
import { createClock, loggedIn, PASSWORD, useTempDir } from './helpers.js';

const path = useTempDir();
const REVOKED = 4401;

async function liveShop({ corsOrigins = [] as string[] } = {}) {
  const db = openSqliteDatabase({ filename: path(`shop-ws-bearer-${randomBytes(3).toString('hex')}.sqlite`) });
  const store = sqliteStore({ database: db, pruneIntervalMs: 0 });
  // A clock the tests move, starting now: the refresh grace window is crossed by moving it.
  const clock = createClock(Date.now());
  // Access tokens shorter than the idle timeout, so one can expire while its session lives.
  const lifetimes = { accessTokenTtl: 900 };
  const app = buildApp({
    passwordHashing: TEST_HASHING,
    store,
    db,
    secrets: [randomBytes(32).toString('base64url')],
    now: clock.now,
    lifetimes,
    realtime: { origins: ['http://shop.test'] },
    corsOrigins,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  after(async () => {
    await app.close();
    await store.close();
    db.close();
  });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { app, clock, base, url: `${base.replace('http', 'ws')}/ws` };
}

async function post(base: string, url: string, body: unknown, accessToken?: string): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  const res = await fetch(`${base}${url}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/** A bearer client the way an SPA does it: anonymous tokens, a cart, then a password login. */
async function bearerLogin(base: string, username: string) {
  const anon = await post(base, '/anonymous-login', {});
  assert.equal(anon.status, 200);
  assert.equal((await post(base, '/cart/add', { item_id: 1 }, anon.json.access_token)).status, 200);
  const reg = await post(base, '/register', { username, password: PASSWORD });
  assert.equal(reg.status, 201, JSON.stringify(reg.json));
  const login = await post(base, '/token', { username, password: PASSWORD }, anon.json.access_token);
  assert.equal(login.status, 200, JSON.stringify(login.json));
  return login.json as { access_token: string; refresh_token: string; user: { id: string } };
}

function open(url: string, accessToken: string, origin?: string) {
  // No cookie, and no Origin unless given (a mobile app sends none, a browser page its own);
  // the token is offered as a subprotocol.
  const ws = new WebSocket(url, ['coatcheck.v1', `coatcheck.bearer.${accessToken}`], origin === undefined ? {} : { headers: { origin } });
  const frames: any[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const status = new Promise<number>((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
  });
  const next = async (test: (f: any) => boolean) => {
    for (let i = 0; i < 500; i++) {
      const found = frames.find(test);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('frame never came');
  };
  return { ws, frames, closed, status, next };
}

const name = (prefix: string) => `${prefix}${randomBytes(3).toString('hex')}`;

describe('shop /ws with bearer tokens', () => {
  it('WS-01 a bearer client opens /ws without cookies and gets its per-user cart push', async () => {
    const { base, url } = await liveShop();
    const pair = await bearerLogin(base, name('tess'));
    const socket = open(url, pair.access_token);
    assert.equal(await socket.status, 101);
    assert.equal(socket.ws.protocol, 'coatcheck.v1', 'the token is never echoed back');
    await socket.next((f) => f.type === 'ready');
    assert.equal((await post(base, '/cart/add', { item_id: 2 }, pair.access_token)).status, 200);
    const frame = await socket.next((f) => f.type === 'message' && f.data?.kind === 'cart');
    assert.equal(frame.scope, 'user');
    assert.deepEqual(frame.data, {
      kind: 'cart',
      cart: [
        { item_id: 1, quantity: 1 },
        { item_id: 2, quantity: 1 },
      ],
    });
    socket.ws.close();
  });

  it('WS-04 POST /token/revoke (logout) closes the bearer socket with 4401; the token is refused afterwards', async () => {
    const { base, url } = await liveShop();
    const pair = await bearerLogin(base, name('uma'));
    const socket = open(url, pair.access_token);
    await socket.next((f) => f.type === 'ready');
    assert.equal((await post(base, '/token/revoke', { token: pair.refresh_token })).status, 200);
    assert.deepEqual(await socket.closed, { code: REVOKED, reason: 'logout' });
    assert.equal((await socket.next((f) => f.type === 'session-ended')).reason, 'logout');
    assert.equal(await open(url, pair.access_token).status, 401, 'reconnecting with the same token fails');
  });

  it('WS-05 revoking the device from another browser closes the bearer socket with 4401', async () => {
    const { app, base, url } = await liveShop();
    const username = name('vic');
    const pair = await bearerLogin(base, username);
    const socket = open(url, pair.access_token);
    await socket.next((f) => f.type === 'ready');
    const browser = await loggedIn(app, username);
    const devices = (await browser.get('/sessions')).json();
    const other = (devices.sessions ?? devices).find((d: { current: boolean }) => !d.current);
    assert.ok(other, 'the bearer session is listed as a device');
    assert.equal((await browser.delete(`/sessions/${other.id}`)).statusCode, 204);
    assert.equal((await socket.closed).code, REVOKED);
  });

  it('RT-02 refresh-token reuse outside the grace window closes every socket of that session', async () => {
    const { base, url, clock } = await liveShop();
    const pair = await bearerLogin(base, name('wes'));
    const sockets = [open(url, pair.access_token), open(url, pair.access_token)];
    for (const s of sockets) await s.next((f) => f.type === 'ready');
    const rotated = await post(base, '/token/refresh', { refresh_token: pair.refresh_token });
    assert.equal(rotated.status, 200);
    // The shop keeps the default 10 s grace window: within it a replay returns the same successor.
    clock.advance(11_000);
    const replay = await post(base, '/token/refresh', { refresh_token: pair.refresh_token });
    assert.equal(replay.status, 401);
    assert.match(replay.json.error.code, /^ERR_REFRESH_TOKEN_/);
    for (const s of sockets) assert.equal((await s.closed).code, REVOKED);
    assert.equal(await open(url, rotated.json.access_token).status, 401, 'the successor died with the session');
  });

  it('an SPA page on an origin listed in CORS_ORIGINS opens /ws with its token; a page from an unlisted origin is refused', async () => {
    const spa = 'http://localhost:5173';
    const { base, url } = await liveShop({ corsOrigins: [spa] });
    const pair = await bearerLogin(base, name('yan'));
    const socket = open(url, pair.access_token, spa);
    assert.equal(await socket.status, 101);
    await socket.next((f) => f.type === 'ready');
    socket.ws.close();
    assert.equal(await open(url, pair.access_token, 'https://evil.example').status, 403);
    assert.equal(await open(url, pair.access_token, 'http://shop.test').status, 101, 'WS_ORIGINS are still allowed');
  });

  it('WS-01 WS-07 a garbage, an expired or a refresh token is refused at the handshake', async () => {
    const { base, url, clock } = await liveShop();
    const pair = await bearerLogin(base, name('xia'));
    assert.equal(await open(url, 'garbage').status, 401);
    assert.equal(await open(url, pair.refresh_token).status, 401);
    clock.advance(901_000);
    assert.equal(await open(url, pair.access_token).status, 401, 'expired access token');
    // The session itself is alive: a refreshed token opens the socket.
    const fresh = await post(base, '/token/refresh', { refresh_token: pair.refresh_token });
    assert.equal(fresh.status, 200);
    const socket = open(url, fresh.json.access_token);
    assert.equal(await socket.status, 101);
    socket.ws.close();
  });
});
