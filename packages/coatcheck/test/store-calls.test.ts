// The onStoreCall hook: one event per store call, with the store method, a duration and an
// outcome that says what happened; a throwing listener never breaks a request.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { memoryBus } from '../src/bus/memory-bus.js';
import { memoryStore } from '../src/store/memory-store.js';
import { cryptoRandom } from '../src/ticket/ticket.js';
import { HTTPS, login, setup } from './helpers/manager-setup.js';

const quietStore = () => memoryStore({ sweepIntervalMs: 0, quiet: true });

describe('manager.onStoreCall', () => {
  it('reports op, a duration and the outcome of each call: ok, miss and conflict', async () => {
    const { manager, calls, take } = setup(quietStore());
    const { id, cookie } = await login(manager);
    assert.deepEqual(take(), ['create:ok']);
    const a = await manager.load({ ...HTTPS, cookie });
    const b = await manager.load({ ...HTTPS, cookie });
    assert.deepEqual(take(), ['get:ok', 'get:ok']);
    a.set('note', 'a');
    await a.commit();
    b.set('cart', ['b']);
    await b.commit();
    // b loaded version 1, a wrote version 2: b loses the race, reads again and replays.
    assert.deepEqual(take(), ['update:ok', 'update:conflict', 'get:ok', 'update:ok']);
    assert.equal(await manager.revokeSession('alice', 'A'.repeat(24)), false);
    assert.deepEqual(take(), ['get:miss']);
    await manager.listSessions('alice');
    await manager.ping();
    assert.deepEqual(take(), ['listByUser:ok', 'ping:ok']);
    const s = await manager.load({ ...HTTPS, cookie });
    await manager.revokeAllSessions('alice');
    await s.logout();
    assert.deepEqual(take(), ['get:ok', 'deleteByUser:ok', 'delete:miss']);
    assert.equal(await manager.peek(id), null);
    for (const call of calls) assert.ok(Number.isFinite(call.ms) && call.ms >= 0);
  });

  it('create: conflict when the drawn id exists; update and touch: miss when the session is gone', async () => {
    let draws = 0;
    // The same bytes for the first two tickets, then real randomness.
    const random = (size: number) => (draws++ < 4 ? new Uint8Array(size).fill(1) : cryptoRandom(size));
    const { manager, advance, take } = setup(quietStore(), { random });
    await login(manager, 'a');
    take();
    await login(manager, 'b');
    assert.deepEqual(take(), ['create:conflict', 'create:ok']);
    const { cookie } = await login(manager, 'c');
    const writer = await manager.load({ ...HTTPS, cookie });
    advance(5 * 60_000);
    const toucher = await manager.load({ ...HTTPS, cookie });
    await manager.revokeAllSessions('c');
    take();
    writer.set('note', 'x');
    await writer.commit();
    await toucher.commit();
    assert.deepEqual(take(), ['update:miss', 'touch:miss']);
  });

  it('reads served by the local cache are not store calls', async () => {
    const { manager, take } = setup(quietStore(), { bus: memoryBus(), cache: true });
    const { cookie } = await login(manager);
    await manager.load({ ...HTTPS, cookie });
    assert.deepEqual(take(), ['create:ok', 'get:ok']);
    await manager.load({ ...HTTPS, cookie });
    await manager.load({ ...HTTPS, cookie });
    assert.deepEqual(take(), []);
    assert.equal(manager.cachedSessions, 1);
  });

  it('a throwing listener is logged once and breaks nothing; other listeners still run; unsubscribe stops it', async () => {
    const { manager, errors, take } = setup(quietStore());
    let thrown = 0;
    const off = manager.onStoreCall(() => {
      thrown++;
      throw new Error('metrics backend down');
    });
    const { cookie } = await login(manager);
    const s = await manager.load({ ...HTTPS, cookie });
    s.set('note', 'still written');
    await s.commit();
    assert.equal((await manager.load({ ...HTTPS, cookie })).get('note'), 'still written');
    assert.equal(thrown, 4);
    assert.deepEqual(take(), ['create:ok', 'get:ok', 'update:ok', 'get:ok'], 'the other listener saw every call');
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message as string, /onStoreCall listener threw/);
    off();
    await manager.load({ ...HTTPS, cookie });
    assert.equal(thrown, 4);
    assert.deepEqual(take(), ['get:ok']);
  });

  it('refuses a listener that is not a function', () => {
    const { manager } = setup(quietStore());
    assert.throws(() => manager.onStoreCall(null as never), TypeError);
  });
});
