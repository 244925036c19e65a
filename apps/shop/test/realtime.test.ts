// The shop's /ws (seed 003): a cart added in one tab appears in every tab of that user; a
// room message reaches the room's members only; logging out is a forced-logout notice and a
// 4401 close on that session's sockets; a foreign page cannot open the socket; a login or a
// revoked device tells the user's other tabs their device list changed. (WS-02, WS-04)
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { openSqliteDatabase } from '@coatcheck/sqlite';
import WebSocket from 'ws';
import { sqliteStore } from '@coatcheck/sqlite';
import { buildApp } from '../src/app.js';
import { loggedIn, useTempDir } from './helpers.js';

const path = useTempDir();

async function liveShop() {
  const db = openSqliteDatabase({ filename: path(`shop-ws-${randomBytes(3).toString('hex')}.sqlite`) });
  const store = sqliteStore({ database: db, pruneIntervalMs: 0 });
  const origin = 'http://shop.test';
  const app = buildApp({ store, db, secrets: [randomBytes(32).toString('base64url')], realtime: { origins: [origin] } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  after(async () => {
    await app.close();
    await store.close();
    db.close();
  });
  const url = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ws`;
  return { app, url, origin };
}

function open(url: string, headers: Record<string, string>) {
  const ws = new WebSocket(url, { headers });
  const frames: any[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const status = new Promise<number>((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
  });
  ws.on('error', () => {});
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

describe('shop /ws', () => {
  it('a cart add reaches every tab of the user and no one else', async () => {
    const { app, url, origin } = await liveShop();
    const alice = await loggedIn(app, `alice${randomBytes(3).toString('hex')}`);
    const tabs = [open(url, { cookie: alice.cookie!, origin }), open(url, { cookie: alice.cookie!, origin })];
    const bob = await loggedIn(app, `bob${randomBytes(3).toString('hex')}`);
    const bobTab = open(url, { cookie: bob.cookie!, origin });
    for (const tab of [...tabs, bobTab]) await tab.next((f) => f.type === 'ready');
    assert.equal((await alice.post('/cart/add', { item_id: 1 })).statusCode, 200);
    for (const tab of tabs) {
      const frame = await tab.next((f) => f.type === 'message' && f.data?.kind === 'cart');
      assert.deepEqual(frame, { type: 'message', scope: 'user', data: { kind: 'cart', cart: [{ item_id: 1, quantity: 1 }] } });
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
    // (Device-list pushes from the logins may come too; they are tested below.)
    assert.equal(bobTab.frames.filter((f) => f.type === 'message' && f.data?.kind === 'cart').length, 0);
    for (const s of [...tabs, bobTab]) s.ws.close();
  });

  it("a login, a revoked device and a logout tell the user's sockets that the device list changed", async () => {
    const { app, url, origin } = await liveShop();
    const username = `erin${randomBytes(3).toString('hex')}`;
    const laptop = await loggedIn(app, username);
    const tab = open(url, { cookie: laptop.cookie!, origin });
    const stranger = await loggedIn(app, `frank${randomBytes(3).toString('hex')}`);
    const strangerTab = open(url, { cookie: stranger.cookie!, origin });
    for (const s of [tab, strangerTab]) await s.next((f) => f.type === 'ready');
    const devicePushes = (s: typeof tab) => s.frames.filter((f) => f.type === 'message' && f.data?.kind === 'devices').length;
    const pushes = async (count: number) => {
      for (let i = 0; i < 500 && devicePushes(tab) < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(devicePushes(tab), count);
    };

    const phone = await loggedIn(app, username);
    await pushes(1);
    const { sessions } = (await laptop.get('/sessions')).json() as { sessions: Array<{ id: string; current: boolean }> };
    const phoneId = sessions.find((s) => !s.current)?.id;
    assert.ok(phoneId);
    // A refused revoke changes nothing and says nothing.
    assert.equal((await laptop.delete('/sessions/not-a-session-id-at-all')).statusCode, 404);
    assert.equal((await laptop.delete(`/sessions/${phoneId}`)).statusCode, 204);
    await pushes(2);
    const tablet = await loggedIn(app, username);
    await pushes(3);
    // Logging out leaves no user on the session, yet the push still goes to that user.
    assert.equal((await tablet.post('/logout', {})).statusCode, 200);
    await pushes(4);
    assert.equal((await phone.get('/sessions')).statusCode, 401);
    assert.deepEqual(
      tab.frames.find((f) => f.data?.kind === 'devices'),
      { type: 'message', scope: 'user', data: { kind: 'devices' } },
    );
    assert.equal(devicePushes(strangerTab), 0);
    for (const s of [tab, strangerTab]) s.ws.close();
  });

  it('WS-09 a room message reaches members only; a non-member cannot speak in it', async () => {
    const { app, url, origin } = await liveShop();
    const [a, b, c] = await Promise.all(['ann', 'ben', 'cat'].map((n) => loggedIn(app, `${n}${randomBytes(3).toString('hex')}`)));
    const [sa, sb, sc] = [a, b, c].map((u) => open(url, { cookie: u!.cookie!, origin }));
    for (const s of [sa!, sb!, sc!]) await s.next((f) => f.type === 'ready');
    for (const s of [sa!, sb!]) {
      s.ws.send(JSON.stringify({ type: 'join', room: 'lobby' }));
      await s.next((f) => f.type === 'joined');
    }
    sc!.ws.send(JSON.stringify({ type: 'message', data: { room: 'lobby', text: 'let me in' } }));
    assert.equal((await sc!.next((f) => f.type === 'message')).data.code, 'ERR_CHAT_REFUSED');
    sa!.ws.send(JSON.stringify({ type: 'message', data: { room: 'lobby', text: 'hello' } }));
    const { user: ann } = JSON.parse((await a!.get('/profile')).body) as { user: { id: string; username: string } };
    for (const s of [sa!, sb!]) {
      const frame = await s.next((f) => f.type === 'message' && f.scope === 'room');
      // Who spoke comes from the server's session, never from the message.
      assert.deepEqual(frame.data, { kind: 'chat', room: 'lobby', from: ann.id, name: ann.username, text: 'hello' });
    }
    for (const s of [sa!, sb!, sc!]) s.ws.close();
  });

  it('WS-04 logout is a forced-logout notice and a 4401 close; WS-02 a foreign page is refused', async () => {
    const { app, url, origin } = await liveShop();
    const dan = await loggedIn(app, `dan${randomBytes(3).toString('hex')}`);
    assert.equal(await open(url, { cookie: dan.cookie!, origin: 'https://evil.example' }).status, 403);
    const socket = open(url, { cookie: dan.cookie!, origin });
    await socket.next((f) => f.type === 'ready');
    assert.equal((await dan.post('/logout')).statusCode, 200);
    const closed = await socket.closed;
    assert.deepEqual(closed, { code: 4401, reason: 'logout' });
    assert.deepEqual(socket.frames.at(-1), { type: 'session-ended', reason: 'logout' });
  });
});
