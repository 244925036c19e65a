// The in-process bus carries application broadcasts next to session messages, as the Redis
// and Postgres buses do; and the manager's peek/touch, which long-lived connections use to
// keep their session honest.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSessionManager } from 'coatcheck';
import { isBusBroadcast, memoryBus, type BusMessage } from 'coatcheck/bus';
import { memoryStore } from 'coatcheck/memory';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('memoryBus broadcasts', () => {
  it('SF-29 broadcasts reach every listener of the channel asynchronously, and no session listener', async () => {
    const bus = memoryBus();
    const messages: BusMessage[] = [];
    bus.subscribe((m) => messages.push(m));
    const seen: string[] = [];
    const other: string[] = [];
    const off = bus.onBroadcast('realtime', (p) => seen.push(p));
    bus.onBroadcast('other', (p) => other.push(p));
    const sent = bus.broadcast('realtime', 'one');
    assert.deepEqual(seen, [], 'delivery is asynchronous, like a network transport');
    await sent;
    await tick();
    assert.deepEqual(seen, ['one']);
    off();
    await bus.broadcast('realtime', 'two');
    await tick();
    assert.deepEqual(seen, ['one']);
    assert.deepEqual(other, []);
    assert.deepEqual(messages, []);
    await bus.close();
  });

  it('isBusBroadcast accepts only well-formed broadcasts', () => {
    assert.equal(isBusBroadcast({ type: 'broadcast', channel: 'c', payload: 'p' }), true);
    for (const bad of [
      null,
      'x',
      { type: 'broadcast', channel: 'c' },
      { type: 'broadcast', channel: 1, payload: 'p' },
      { type: 'changed', channel: 'c', payload: 'p' },
    ]) {
      assert.equal(isBusBroadcast(bad), false);
    }
  });
});

describe('manager.peek and manager.touch', () => {
  function setup() {
    let t = Date.UTC(2026, 0, 1);
    const clock = { now: () => t, advance: (ms: number) => void (t += ms) };
    const manager = createSessionManager({
      store: memoryStore(),
      secrets: [randomBytes(32)],
      now: clock.now,
      lifetime: { idleTimeout: 60, absoluteTimeout: 300, touchAfter: 10 },
    });
    return { manager, clock };
  }
  async function login(manager: ReturnType<typeof setup>['manager']) {
    const session = await manager.load({ cookie: null });
    await session.login('alice');
    await session.commit();
    return session.id as string;
  }

  it('LC-08 peek reports a live session without extending it; touch extends the idle expiry, never past the absolute limit', async () => {
    const { manager, clock } = setup();
    const id = await login(manager);
    const first = await manager.peek(id);
    assert.equal(first?.userId, 'alice');
    assert.equal(first?.expiresAt, clock.now() + 60_000);
    clock.advance(30_000);
    assert.equal((await manager.peek(id))?.expiresAt, first?.expiresAt, 'peek does not extend');
    const touched = await manager.touch(id);
    assert.equal(touched?.expiresAt, clock.now() + 60_000);
    for (let i = 0; i < 6; i++) {
      clock.advance(50_000);
      await manager.touch(id);
    }
    const late = await manager.peek(id);
    assert.ok(late === null || late.expiresAt <= (first?.absoluteExpiresAt ?? 0));
    clock.advance(300_000);
    assert.equal(await manager.touch(id), null);
    assert.equal(await manager.peek(id), null);
  });

  it('BI-08 peek and touch return null for unknown or malformed ids without reaching the store', async () => {
    const { manager } = setup();
    assert.equal(await manager.peek('not an id'), null);
    assert.equal(await manager.touch('../../etc'), null);
    assert.equal(await manager.peek('A'.repeat(22)), null);
  });

  it('LC-07 an idle session is gone for peek after its idle timeout', async () => {
    const { manager, clock } = setup();
    const id = await login(manager);
    clock.advance(61_000);
    assert.equal(await manager.peek(id), null);
  });
});
