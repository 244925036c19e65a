// Sessions carried by something other than a cookie (a bearer token's `sid`): loaded by id,
// written and rotated like cookie sessions, and never a Set-Cookie.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager } from '../src/index.js';
import { RESERVED_PREFIX } from '../src/bus/index.js';
import { isBearerScheme, isPending } from '../src/http/index.js';
import { memoryStore } from '../src/store/memory-store.js';
import { memoryBus } from '../src/bus/memory-bus.js';

const SECRET = 'unit-secret-5d1f9b3e7a2c6e0f4b8d2a6c9e1f3b7d';
const T0 = Date.UTC(2026, 0, 1);

function setup() {
  let t = T0;
  const store = memoryStore({ sweepIntervalMs: 0, quiet: true });
  const manager = createSessionManager<{ cart: string[]; [k: string]: unknown }>({ store, secrets: [SECRET], now: () => t, production: true });
  return { store, manager, now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('loadById: sessions without cookies', () => {
  it('null gives a new session that is written on its first change, without a cookie', async () => {
    const { manager, store, now } = setup();
    const session = await manager.loadById(null, { userAgent: 'curl/8', ip: '10.0.0.1' });
    assert.equal(session.status, 'none');
    assert.equal(isPending(session), false);
    assert.deepEqual(await session.commit(), [], 'nothing written, nothing sent');
    const next = await manager.loadById(null);
    next.set('cart', ['apple']);
    assert.deepEqual(await next.commit(), [], 'written, but never a Set-Cookie');
    const stored = await store.get(next.id as string, now());
    assert.deepEqual(stored?.data, { cart: ['apple'] });
    assert.equal(stored?.device.userAgent, null);
  });

  it('an existing id loads the live record; absent, expired and malformed ids do not', async () => {
    const { manager, advance } = setup();
    const first = await manager.loadById(null);
    first.set('cart', ['pear']);
    await first.commit();
    const id = first.id as string;
    const again = await manager.loadById(id);
    assert.equal(again.status, 'valid');
    assert.deepEqual(again.get('cart'), ['pear']);
    assert.equal((await manager.loadById('A'.repeat(24))).status, 'expired');
    for (const bad of ['', 'short', `${id}x`, '../../etc/passwd', `${'A'.repeat(23)}*`]) {
      assert.equal((await manager.loadById(bad)).status, 'invalid', bad);
    }
    advance(31 * 60_000);
    assert.equal((await manager.loadById(id)).status, 'expired');
  });

  it('LC-01 login rotates the id and keeps the data; the old id is dead; no cookie is issued', async () => {
    const { manager, store, now } = setup();
    const anonymous = await manager.loadById(null);
    anonymous.set('cart', ['apple']);
    await anonymous.commit();
    const oldId = anonymous.id as string;
    const session = await manager.loadById(oldId);
    await session.login('alice');
    assert.notEqual(session.id, oldId);
    assert.deepEqual(await session.commit(), []);
    assert.equal(await store.get(oldId, now()), null);
    const upgraded = await manager.loadById(session.id);
    assert.equal(upgraded.userId, 'alice');
    assert.deepEqual(upgraded.get('cart'), ['apple']);
    await upgraded.logout();
    assert.deepEqual(await upgraded.commit(), [], 'logout clears no cookie either');
    assert.equal((await manager.loadById(session.id)).status, 'expired');
  });

  it('fresh reads bypass the local cache', async () => {
    const store = memoryStore({ sweepIntervalMs: 0, quiet: true });
    const manager = createSessionManager({ store, secrets: [SECRET], bus: memoryBus(), cache: { ttlMs: 60_000 } });
    const s = await manager.loadById(null);
    s.set('n', 1);
    await s.commit();
    const id = s.id as string;
    await manager.loadById(id);
    assert.equal(manager.cachedSessions, 1);
    const record = await store.get(id, Date.now());
    // Written behind the manager's back: only a fresh read sees it.
    await store.update({ ...record!, data: { n: 2 }, version: record!.version + 1 }, record!.version, Date.now());
    assert.equal((await manager.loadById(id)).get('n'), 1);
    assert.equal((await manager.loadById(id, {}, { fresh: true })).get('n'), 2);
    await manager.close();
  });

  it('loadCachedById answers from the local cache only, and stops answering once another instance revokes', async () => {
    const { manager: plain } = setup();
    assert.equal(plain.loadCachedById('A'.repeat(24)), null, 'no cache: always ask loadById');
    const store = memoryStore({ sweepIntervalMs: 0, quiet: true });
    const bus = memoryBus();
    const [a, b] = [0, 1].map(() => createSessionManager({ store, secrets: [SECRET], bus, cache: { ttlMs: 60_000 } })) as [
      ReturnType<typeof createSessionManager>,
      ReturnType<typeof createSessionManager>,
    ];
    const s = await a.loadById(null);
    await s.login('alice');
    const id = s.id as string;
    assert.equal(b.loadCachedById(id), null, 'not cached yet');
    assert.equal((await b.loadById(id)).status, 'valid');
    const hit = b.loadCachedById(id, { userAgent: 'x' });
    assert.equal(hit?.status, 'valid');
    assert.equal(hit?.userId, 'alice');
    assert.deepEqual(await hit?.commit(), []);
    assert.equal(await a.revokeSession('alice', id), true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(b.loadCachedById(id), null, 'the revocation reached the cache');
    assert.equal((await b.loadById(id)).status, 'expired');
    await a.close();
    await b.close();
  });

  it('clear() keeps reserved keys of coatcheck packages', async () => {
    const { manager } = setup();
    const s = await manager.loadById(null);
    s.set(`${RESERVED_PREFIX}refresh`, { family: 'f' });
    s.set('cart', ['x']);
    await s.commit();
    const again = await manager.loadById(s.id);
    again.clear();
    await again.commit();
    assert.deepEqual((await manager.loadById(s.id)).data, { [`${RESERVED_PREFIX}refresh`]: { family: 'f' } });
  });

  it('isBearerScheme matches the scheme name case-insensitively and nothing else', () => {
    for (const yes of ['Bearer x', 'bearer x', 'BEARER x', 'Bearer', 'Bearer\tx']) assert.equal(isBearerScheme(yes), true, yes);
    for (const no of ['Basic x', 'Bearerx', 'Bear x', '', ' Bearer x']) assert.equal(isBearerScheme(no), false, no);
  });
});
