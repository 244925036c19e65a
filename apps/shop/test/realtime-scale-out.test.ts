// Two shop instances on one Redis (REDIS_URL): a cart added through instance A reaches the
// user's tab connected to instance B, and revoking that device through A closes B's socket
// with 4401 within 100 ms. (WS-04, WS-05, seed 003's per-user channel)
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { openSqliteDatabase } from '@coatcheck/sqlite';
import WebSocket from 'ws';
import { buildApp } from '../src/app.js';
import { TEST_HASHING } from './test-hashing.js';
import { openBackends } from '../src/backends.js';
import { loggedIn, ticketId, useTempDir } from './helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ORIGIN = 'http://shop.test';
const path = useTempDir();

async function instances() {
  const db = openSqliteDatabase({ filename: path(`users-${randomBytes(4).toString('hex')}.sqlite`) });
  const secrets = [randomBytes(32).toString('base64url')];
  const made: { app: ReturnType<typeof buildApp>; backends: Awaited<ReturnType<typeof openBackends>>; url: string }[] = [];
  for (let i = 0; i < 2; i++) {
    const backends = await openBackends({ redisUrl: REDIS_URL, databaseUrl: null }, db);
    const app = buildApp({ store: backends.store, bus: backends.bus, db, secrets, realtime: { origins: [ORIGIN] }, passwordHashing: TEST_HASHING });
    await app.listen({ port: 0, host: '127.0.0.1' });
    made.push({ app, backends, url: `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ws` });
  }
  after(async () => {
    for (const { app, backends } of made) {
      await app.close();
      await backends.close();
    }
    db.close();
  });
  // A new bus is 'down' until its subscription is confirmed.
  for (let i = 0; i < 200 && made.some((m) => m.backends.bus?.state !== 'up'); i++) await new Promise((r) => setTimeout(r, 10));
  return made as [(typeof made)[0], (typeof made)[0]];
}

describe('shop /ws on two instances (Redis)', () => {
  it('WS-05 a cart add on A reaches the tab on B; revoking the device on A closes it within 100 ms', async (t) => {
    const [a, b] = await instances();
    const user = `u${randomBytes(5).toString('hex')}`;
    const phone = await loggedIn(a.app, user);
    const laptop = await loggedIn(a.app, user);
    const ws = new WebSocket(b.url, { headers: { cookie: phone.cookie!, origin: ORIGIN } });
    const frames: any[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    const closed = new Promise<{ code: number; at: number }>((resolve) => ws.on('close', (code) => resolve({ code, at: performance.now() })));
    const until = async (test: (f: any) => boolean) => {
      for (let i = 0; i < 500 && !frames.some(test); i++) await new Promise((r) => setTimeout(r, 5));
      return frames.find(test);
    };
    assert.ok(await until((f) => f.type === 'ready'));
    assert.equal((await laptop.post('/cart/add', { item_id: 2, quantity: 2 })).statusCode, 200);
    // Not just the first message: the laptop's login also pushed a device-list change.
    const cart = await until((f) => f.type === 'message' && f.data?.kind === 'cart');
    assert.deepEqual(cart?.data, { kind: 'cart', cart: [{ item_id: 2, quantity: 2 }] });

    const started = performance.now();
    assert.equal((await laptop.delete(`/sessions/${ticketId(phone.cookie!)}`)).statusCode, 204);
    const { code, at } = await closed;
    t.diagnostic(`device revoked on A, socket on B closed after ${(at - started).toFixed(2)} ms`);
    assert.equal(code, 4401);
    assert.ok(at - started < 100, `closed after ${at - started} ms`);
  });
});
