import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager, labelDevice, type SessionEvents } from '../src/index.js';
import { memoryStore, MEMORY_STORE_WARNING } from '../src/store/memory-store.js';
import { cryptoRandom } from '../src/ticket/ticket.js';

const SECRET = 'unit-secret-5d1f9b3e7a2c6e0f4b8d2a6c9e1f3b7d';
const OLD = 'older-secret-8c2e6a0f4d9b3e7c1a5f9d3b7e2c6a0f';
const T0 = Date.UTC(2026, 0, 1);

function setup(overrides: Parameters<typeof createSessionManager>[0] extends infer O ? Partial<O> : never = {}) {
  let t = T0;
  const store = memoryStore({ sweepIntervalMs: 0, quiet: true });
  const manager = createSessionManager<{ cart: string[]; step: number; [k: string]: unknown }>({
    store,
    secrets: [SECRET],
    now: () => t,
    production: true,
    ...overrides,
  });
  const pair = (cookies: string[]) => (cookies[0] as string).split(';')[0] as string;
  return { store, manager, advance: (ms: number) => void (t += ms), now: () => t, pair };
}

describe('session manager', () => {
  it("TG-04 an id collision never overwrites: a new id is drawn and the first session stays its owner's", async () => {
    let calls = 0;
    // Yields the same bytes for the first two tickets, then real randomness.
    const random = (size: number) => (calls++ < 4 ? new Uint8Array(size).fill(1) : cryptoRandom(size));
    const { manager, store, now } = setup({ random });
    const a = await manager.load({ secure: true });
    await a.login('user-a');
    const b = await manager.load({ secure: true });
    await b.login('user-b');
    assert.notEqual(a.id, b.id);
    assert.equal((await store.get(a.id as string, now()))?.userId, 'user-a');
    assert.equal((await store.get(b.id as string, now()))?.userId, 'user-b');
  });

  it('TG-10 a cookie signed with the previous secret is accepted and re-signed with the current one', async () => {
    const old = setup({ secrets: [OLD] });
    const session = await old.manager.load({ secure: true });
    session.set('step', 1);
    const cookie = old.pair(await session.commit());
    const rotated = createSessionManager({ store: old.store, secrets: [SECRET, OLD], now: old.now, production: true });
    const again = await rotated.load({ secure: true, cookie });
    assert.equal(again.status, 'valid');
    const resigned = old.pair(await again.commit());
    assert.notEqual(resigned, cookie);
    assert.equal(resigned.slice(0, 80), cookie.slice(0, 80), 'same id and secret, new signature');
    const retired = createSessionManager({ store: old.store, secrets: [SECRET], now: old.now, production: true });
    assert.equal((await retired.load({ secure: true, cookie })).status, 'invalid');
    assert.equal((await retired.load({ secure: true, cookie: resigned })).status, 'valid');
  });

  it('login emits upgraded with both ids and merges anonymous data with what the user already has', async () => {
    const { manager } = setup();
    const seen: SessionEvents['upgraded'][] = [];
    manager.events.on('upgraded', (e) => seen.push(e));
    const s = await manager.load({ secure: true });
    s.set('cart', ['apple']);
    await s.commit();
    const anonymousId = s.id;
    const next = await manager.load({ secure: true, cookie: `__Host-sid=${'x'}` });
    assert.equal(next.status, 'invalid');
    const again = await manager.load({ secure: true });
    again.set('cart', ['pear']);
    await again.login('alice', { merge: (anon) => ({ cart: [...(anon.cart ?? []), 'saved-item'] }) });
    assert.deepEqual(again.get('cart'), ['pear', 'saved-item']);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.oldId, null, 'a never-persisted session has no old id');
    assert.ok(anonymousId);
  });

  it("LC-18 LC-19 device list shows only the user's sessions with a current flag; others cannot be revoked", async () => {
    const { manager, advance } = setup();
    const phone = await manager.load({
      secure: true,
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile/15E148 Safari/604.1',
    });
    await phone.login('alice');
    advance(1000);
    const laptop = await manager.load({ secure: true, userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', ip: '203.0.113.9' });
    await laptop.login('alice');
    const mallory = await manager.load({ secure: true });
    await mallory.login('mallory');
    const list = await laptop.listDevices();
    assert.deepEqual(
      list.map((d) => [d.label, d.current]),
      [
        ['Safari on iOS', false],
        ['Firefox on Linux', true],
      ],
    );
    assert.equal(list[1]?.ip, '203.0.113.9');
    // The label the history's User-Agents get is the list's own.
    const [signIn] = await manager.history({ sessionId: laptop.id as string });
    assert.equal(labelDevice(signIn?.userAgent ?? null), 'Firefox on Linux');
    assert.equal(labelDevice(null), 'Unknown device');
    assert.equal(await mallory.revokeDevice(phone.id as string), false);
    assert.equal((await manager.listSessions('alice')).length, 2);
    assert.deepEqual(await laptop.revokeOtherDevices(), [phone.id]);
    assert.equal((await manager.listSessions('alice')).length, 1);
  });

  it('AB-10 a hostile 8 KB User-Agent is stored truncated and without control characters', async () => {
    const { manager } = setup();
    const s = await manager.load({ secure: true, userAgent: `<script>\r\n${'x'.repeat(8192)}` });
    await s.login('alice');
    const [device] = await s.listDevices();
    assert.ok(device?.userAgent && device.userAgent.length <= 512);
    assert.doesNotMatch(device?.userAgent ?? '', /[\r\n]/);
  });

  it('BI-11 BI-17 prototype keys stay plain data; oversized or unserializable values are refused before any write', async () => {
    const { manager, store } = setup({ maxDataBytes: 1024 });
    const s = await manager.load({ secure: true });
    s.set('__proto__' as 'step', { polluted: true } as unknown as number);
    s.set('step', 1);
    await s.commit();
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const big = await manager.load({ secure: true });
    big.set('cart', ['x'.repeat(2048)]);
    await assert.rejects(big.commit(), { code: 'ERR_SESSION_TOO_LARGE' });
    assert.equal(store.size, 1);
    const bad = await manager.load({ secure: true });
    assert.throws(() => bad.set('step', 10n as unknown as number), { code: 'ERR_SESSION_NOT_SERIALIZABLE' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => bad.set('x', cyclic), { code: 'ERR_SESSION_NOT_SERIALIZABLE' });
  });

  it('changes after commit throw instead of being silently lost', async () => {
    const { manager } = setup();
    const s = await manager.load({ secure: true });
    await s.commit();
    assert.throws(() => s.set('step', 2), { code: 'ERR_SESSION_COMMITTED' });
  });
});

describe('memory store', () => {
  it('SF-19 stays bounded, reclaims expired entries and warns in production', async () => {
    const { manager, store, advance, now } = setup({ store: memoryStore({ maxEntries: 100, sweepIntervalMs: 0, quiet: true }) });
    const bounded = (manager as unknown as { store: typeof store }).store;
    for (let i = 0; i < 500; i++) {
      const s = await manager.load({ secure: true });
      s.set('step', i);
      await s.commit();
    }
    assert.equal(bounded.size, 100);
    advance(31 * 60_000);
    assert.equal(await bounded.prune(now()), 100);
    assert.equal(bounded.size, 0);

    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await memoryStore({ sweepIntervalMs: 0 }).close();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.env.NODE_ENV = previous;
      process.off('warning', onWarning);
    }
    assert.ok(warnings.some((w) => (w as Error & { code?: string }).code === MEMORY_STORE_WARNING));
  });
});
