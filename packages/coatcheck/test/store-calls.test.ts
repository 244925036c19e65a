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

  it('names the public session id of each call about one session, never the ticket; user and store calls carry none', async () => {
    const { manager, calls } = setup(quietStore());
    const anonymous = await manager.load(HTTPS);
    anonymous.set('cart', ['a']);
    const anonymousCookie = (await anonymous.commit())[0] as string;
    const firstId = anonymous.id as string;
    const visit = await manager.load({ ...HTTPS, cookie: anonymousCookie.split(';')[0] });
    await visit.login('alice');
    const cookie = (await visit.commit())[0] as string;
    const secondId = visit.id as string;
    await manager.listSessions('alice');
    await manager.revokeAllSessions('alice');
    await manager.ping();
    const named = calls.map((c) => `${c.op}:${c.id ?? '-'}`);
    // First write, the login's read under the lock, the new record, the old one deleted.
    assert.deepEqual(named, [
      `create:${firstId}`,
      `get:${firstId}`,
      `get:${firstId}`,
      `create:${secondId}`,
      `delete:${firstId}`,
      'listByUser:-',
      'deleteByUser:-',
      'ping:-',
    ]);
    const ticket = /=([^;]+)/.exec(cookie)?.[1] as string;
    assert.ok(ticket.startsWith(secondId) && ticket.length > secondId.length, 'the cookie is the id, then its secret');
    for (const call of calls) assert.ok(!JSON.stringify(call).includes(ticket.slice(secondId.length + 1, secondId.length + 20)), 'no secret in a call');
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
