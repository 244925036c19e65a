import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager } from '../src/index.js';
import type { SessionStore } from '../src/store-kit/index.js';
import { memoryStore } from '../src/store/memory-store.js';
import { memoryBus } from '../src/bus/memory-bus.js';

const SECRET = 'unit-secret-5d1f9b3e7a2c6e0f4b8d2a6c9e1f3b7d';

/** Two app instances on one store and one bus, each with its local cache. */
function twoInstances(store: SessionStore = memoryStore({ sweepIntervalMs: 0, quiet: true })) {
  const bus = memoryBus();
  let gets = 0;
  const counted: SessionStore = { ...store, get: (id, now) => (gets++, store.get(id, now)) };
  const make = () => createSessionManager({ store: counted, bus, cache: { ttlMs: 60_000 }, secrets: [SECRET], production: true });
  return { a: make(), b: make(), bus, gets: () => gets };
}

async function loginOn(manager: ReturnType<typeof createSessionManager>, userId = 'alice') {
  const session = await manager.load({ secure: true });
  await session.login(userId);
  const [cookie] = await session.commit();
  return { id: session.id as string, cookie: (cookie as string).split(';')[0] as string };
}

describe('revocation-aware local cache', () => {
  it('serves a hot session from memory: repeated reads cost no store round trip', async () => {
    const { b, gets } = twoInstances();
    const { cookie } = await loginOn(b);
    await b.load({ secure: true, cookie });
    const before = gets();
    for (let i = 0; i < 20; i++) assert.equal((await b.load({ secure: true, cookie })).userId, 'alice');
    assert.equal(gets(), before);
    assert.equal(b.cachedSessions, 1);
  });

  it('SF-29 a revoke on instance A is enforced by instance B as soon as the revoke call returns', async () => {
    const { a, b } = twoInstances();
    const { id, cookie } = await loginOn(b);
    assert.equal((await b.load({ secure: true, cookie })).status, 'valid');
    assert.equal(await a.revokeSession('alice', id), true);
    const after = await b.load({ secure: true, cookie });
    assert.equal(after.status, 'expired');
    assert.equal(after.userId, null);
  });

  it("LC-05 logout on A, and data changes on A, reach B's cache", async () => {
    const { a, b } = twoInstances();
    const { cookie } = await loginOn(a);
    assert.equal((await b.load({ secure: true, cookie })).get('n'), undefined);
    const s = await a.load({ secure: true, cookie });
    s.set('n', 1);
    await s.commit();
    assert.equal((await b.load({ secure: true, cookie })).get('n'), 1);
    await (await a.load({ secure: true, cookie })).logout();
    assert.equal((await b.load({ secure: true, cookie })).status, 'expired');
  });

  it('a revocation that overtakes a slow store read is not cached away', async () => {
    const inner = memoryStore({ sweepIntervalMs: 0, quiet: true });
    let hold: Promise<void> | null = null;
    // Holds exactly one read (the next one after arming) until released.
    const slow: SessionStore = {
      ...inner,
      get: async (id, now) => {
        const held = hold;
        hold = null;
        const record = await inner.get(id, now);
        if (held !== null) await held;
        return record;
      },
    };
    const { a, b } = twoInstances(slow);
    const { id, cookie } = await loginOn(a);
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    const reading = b.load({ secure: true, cookie });
    await new Promise((resolve) => setImmediate(resolve));
    await a.revokeSession('alice', id);
    release();
    assert.equal((await reading).status, 'valid', 'the read began before the revoke');
    assert.equal(b.cachedSessions, 0);
    assert.equal((await b.load({ secure: true, cookie })).status, 'expired');
  });

  it('writes never loop on a stale cached version (SF-20 with caches on two instances)', async () => {
    const { a, b } = twoInstances();
    const { cookie } = await loginOn(a);
    await Promise.all([a, b].map((m) => m.load({ secure: true, cookie })));
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const s = await (i % 2 ? a : b).load({ secure: true, cookie });
        s.update('n', (n) => ((n as number | undefined) ?? 0) + 1);
        await s.commit();
      }),
    );
    assert.equal((await a.load({ secure: true, cookie })).get('n'), 30);
    assert.equal((await b.load({ secure: true, cookie })).get('n'), 30);
  });

  it('while the bus is down the cache is bypassed, so nothing stale can be served', async () => {
    const { b, bus, gets } = twoInstances();
    const { cookie } = await loginOn(b);
    await b.load({ secure: true, cookie });
    await bus.close();
    assert.equal(b.cachedSessions, 0);
    const before = gets();
    await b.load({ secure: true, cookie });
    await b.load({ secure: true, cookie });
    assert.equal(gets(), before + 2);
  });

  it('a cache without a bus is refused at start-up', () => {
    assert.throws(() => createSessionManager({ store: memoryStore({ quiet: true, sweepIntervalMs: 0 }), cache: true, secrets: [SECRET] }), {
      code: 'ERR_SESSION_INVALID_OPTION',
    });
  });
});
