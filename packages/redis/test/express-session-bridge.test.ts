// Moving users from express-session + connect-redis: sessions made by the real old stack on
// the shared Redis, migrated by two coatcheck app instances. Remember-me logins stay
// persistent, anonymous carts are kept, and parallel first requests carrying one old cookie,
// spread over both instances, end up as ONE coatcheck session.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after } from 'node:test';
import express from 'express';
import { createSessionManager, type SessionManager } from 'coatcheck';
import { session, sessionErrorHandler } from '@coatcheck/express';
import { createExpressSessionBridge, redisStore } from '@coatcheck/redis';
import { connectClient, REDIS_URL, uniquePrefix } from './fixtures/clients.js';
import { OLD_SECRET, oldSessionId, startOldApp } from './fixtures/old-express-session.js';

const NEW_SECRET = 'coatcheck-bridge-test-secret-8e4b2a6c0d9f1e3a';
const root = uniquePrefix('bridge');
const client = await connectClient(REDIS_URL, { cleanupPrefix: root });
const OLD = `${root}sess:`;
const CLAIMS = `${root}migrated:`;
const STORE = `${root}cc:`;
const old = await startOldApp(client, OLD);

interface State {
  id: string | null;
  userId: string | null;
  cart: string[];
  persistent: boolean;
}

/** One instance of the new application: bridge before session(), as the guide mounts it. */
async function startInstance() {
  const manager: SessionManager = createSessionManager({
    store: redisStore({ client, prefix: STORE, checkConfig: false }),
    secrets: [NEW_SECRET],
    production: false,
  });
  const bridge = createExpressSessionBridge({
    manager,
    client,
    secrets: [OLD_SECRET],
    prefix: OLD,
    claimPrefix: CLAIMS,
    copy: (record) => ({ userId: typeof record.userId === 'string' ? record.userId : null, data: Array.isArray(record.cart) ? { cart: record.cart } : {} }),
  });
  const app = express();
  app.use(async (req, res, next) => {
    try {
      const moved = await bridge.migrate({ cookie: req.headers.cookie, secure: req.secure, userAgent: req.headers['user-agent'], ip: req.ip });
      if (moved) {
        req.headers.cookie = moved.cookie;
        res.append('set-cookie', [...moved.setCookie]);
      }
      next();
    } catch (error) {
      next(error);
    }
  });
  app.use(session({ manager }));
  app.get('/state', (req, res) => {
    const s = req.session;
    res.json({ id: s.id, userId: s.userId, cart: (s.get('cart') as string[] | undefined) ?? [], persistent: s.persistent } satisfies State);
  });
  app.use(sessionErrorHandler());
  const server: Server = await new Promise((done) => {
    const s = app.listen(0, '127.0.0.1', () => done(s));
  });
  after(() => new Promise<void>((done) => server.close(() => done())));
  return { manager, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const [a, b] = [await startInstance(), await startInstance()];

async function get(url: string, cookie: string) {
  const res = await fetch(`${url}/state`, { headers: { cookie } });
  assert.equal(res.status, 200, await res.clone().text());
  const setCookie = res.headers.getSetCookie();
  const fresh = setCookie.find((line) => !line.startsWith('connect.sid='));
  return { state: (await res.json()) as State, setCookie, pair: fresh?.split(';')[0], fresh };
}

async function countKeys(pattern: string): Promise<number> {
  let count = 0;
  for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) count += keys.length;
  return count;
}

/** Five parallel first requests, alternating between the two instances. */
const fanOut = (cookie: string) => Promise.all([a, b, a, b, a].map((instance) => get(instance.url, cookie)));

describe('express-session bridge', () => {
  it('a 7-day login stays persistent and logged in; five parallel requests on two instances make ONE session', async () => {
    const cookie = await old.create({ userId: 'alice', cart: ['apple'], remember: true });
    const results = await fanOut(cookie);
    const pairs = new Set(results.map((r) => r.pair));
    assert.equal(pairs.size, 1, `one new cookie for all five, got ${[...pairs].join(', ')}`);
    assert.equal(new Set(results.map((r) => r.state.id)).size, 1, 'one session id');
    for (const { state, fresh, setCookie } of results) {
      assert.deepEqual([state.userId, state.cart, state.persistent], ['alice', ['apple'], true]);
      assert.match(String(fresh), /Max-Age=\d+/, 'the new cookie is persistent too');
      assert.ok(
        setCookie.some((line) => /^connect\.sid=;.*Max-Age=0/.test(line)),
        'the old cookie is deleted',
      );
    }
    assert.equal((await a.manager.listSessions('alice')).length, 1);
    assert.equal(await client.exists(`${OLD}${oldSessionId(cookie)}`), 0, 'the old key is retired');
    const followUp = await get(b.url, [...pairs][0] as string);
    assert.equal(followUp.state.id, results[0]!.state.id, 'the new cookie alone is the same session');
  });

  it('a browser-session login stays a browser-session login', async () => {
    const cookie = await old.create({ userId: 'bob' });
    const { state, fresh } = await get(a.url, cookie);
    assert.deepEqual([state.userId, state.persistent], ['bob', false]);
    assert.doesNotMatch(String(fresh), /Max-Age|Expires/);
  });

  it('an anonymous cart is kept, as ONE anonymous session for parallel requests', async () => {
    const before = await countKeys(`${STORE}s:*`);
    const cookie = await old.create({ cart: ['pear', 'fig'] });
    const results = await fanOut(cookie);
    assert.equal(new Set(results.map((r) => r.pair)).size, 1);
    for (const { state } of results) assert.deepEqual([state.userId, state.cart], [null, ['pear', 'fig']]);
    assert.equal(await countKeys(`${STORE}s:*`), before + 1, 'exactly one session was written');
  });

  it('the pointer in Redis is sealed: it does not hold the new cookie in clear', async () => {
    const cookie = await old.create({ userId: 'carol' });
    const { pair } = await get(a.url, cookie);
    const values: string[] = [];
    for await (const keys of client.scanIterator({ MATCH: `${CLAIMS}*`, COUNT: 1000 })) for (const key of keys) values.push(String(await client.get(key)));
    const value = (pair as string).split('=')[1] as string;
    assert.ok(values.length > 0);
    assert.ok(
      values.every((v) => !v.includes(value)),
      'no pointer contains the cookie value',
    );
  });

  it('after the pointer expires, the old cookie migrates nothing again: it is only deleted', async () => {
    const cookie = await old.create({ userId: 'dave' });
    await get(a.url, cookie);
    for await (const keys of client.scanIterator({ MATCH: `${CLAIMS}*`, COUNT: 1000 })) if (keys.length > 0) await client.del(keys);
    const late = await get(b.url, cookie);
    assert.deepEqual([late.state.userId, late.pair], [null, undefined]);
    assert.ok(late.setCookie.some((line) => line.startsWith('connect.sid=;')));
    assert.equal((await a.manager.listSessions('dave')).length, 1, 'still one session');
  });

  it('a cookie signed with another secret migrates nothing and leaves the old key alone', async () => {
    const cookie = await old.create({ userId: 'erin' });
    const sid = oldSessionId(cookie);
    const forged = `connect.sid=${encodeURIComponent(`s:${sid}.${'A'.repeat(43)}`)}`;
    const { state, pair, setCookie } = await get(a.url, forged);
    assert.deepEqual([state.userId, pair], [null, undefined]);
    assert.ok(setCookie.some((line) => line.startsWith('connect.sid=;')));
    assert.equal(await client.exists(`${OLD}${sid}`), 1);
    assert.equal((await a.manager.listSessions('erin')).length, 0);
  });

  it('misconfiguration fails at start-up with what to pass', () => {
    const base = { manager: a.manager, client, copy: () => null };
    assert.throws(
      () => createExpressSessionBridge({ ...base, secrets: [] }),
      /secrets must list express-session's secret\(s\), e\.g\. \[process\.env\.OLD_SESSION_SECRET\]/,
    );
    assert.throws(() => createExpressSessionBridge({ ...base, secrets: [OLD_SECRET], waitMs: 0 }), /waitMs must be a whole number from 1 to 60000; got 0/);
    assert.throws(() => createExpressSessionBridge({ ...base, secrets: [OLD_SECRET], copy: undefined as never }), /copy must be a function/);
  });

  it('requests without the old cookie cost nothing', async () => {
    const bridge = createExpressSessionBridge({ manager: a.manager, client, secrets: [OLD_SECRET], copy: () => null });
    assert.equal(await bridge.migrate({ cookie: 'theme=dark' }), null);
    assert.equal(await bridge.migrate({}), null);
  });
});
