// WS-18: the rooms a socket, and a user across their sockets, may be in are capped. A join
// past a cap is answered with an error frame carrying ERR_REALTIME_TOO_MANY_ROOMS (never
// dropped silently), changes nothing, and does not ask authorizeJoin; leaving makes room
// again; bad caps fail at start-up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionConfigError } from 'coatcheck';
import { createHub, type Connection } from '@coatcheck/realtime';
import { createManager, login, quiet, ready, serve, waitFor, type TestClient } from './helpers.js';

// High enough that 600 joins are never closed by the message rate limit (WS-13).
const FAST = { maxMessagesPerSecond: 10_000 };

/** Replies (`joined` or `error`) that name one of `rooms`, once all have arrived. */
async function answers(client: TestClient, rooms: readonly string[]): Promise<Map<string, any>> {
  const wanted = new Set(rooms);
  const by = () => new Map(client.frames.filter((f) => wanted.has(f.room) && (f.type === 'joined' || f.type === 'error')).map((f) => [f.room, f]));
  return waitFor(`${rooms.length} join replies`, () => (by().size === wanted.size ? by() : null), 10_000);
}

function sendJoins(client: TestClient, rooms: readonly string[]): void {
  for (const room of rooms) client.ws.send(JSON.stringify({ type: 'join', room }));
}

const roomNames = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

describe('room caps', () => {
  it('WS-18 one socket asking for 600 rooms is refused after maxRoomsPerSocket (32), each refusal with a stable code', async () => {
    const manager = createManager();
    const asked: string[] = [];
    const { url, hub } = await serve(manager, { ...FAST, authorizeJoin: (_c, room) => asked.push(room) > 0 });
    const { cookie } = await login(manager, 'alice');
    const client = await ready(url, { cookie });
    const rooms = roomNames('r', 600);
    sendJoins(client, rooms);
    const replies = await answers(client, rooms);

    const joined = [...replies.values()].filter((f) => f.type === 'joined');
    const refused = [...replies.values()].filter((f) => f.type === 'error');
    assert.equal(joined.length, 32);
    assert.equal(refused.length, 568);
    for (const frame of refused)
      assert.deepEqual({ code: frame.code, cap: frame.cap, limit: frame.limit }, { code: 'ERR_REALTIME_TOO_MANY_ROOMS', cap: 'socket', limit: 32 });
    // Refused joins cost the application nothing, and the socket stays open and usable.
    assert.equal(asked.length, 32, 'authorizeJoin is asked only for joins within the cap');
    assert.equal(client.ws.readyState, client.ws.OPEN);
    assert.equal(hub.stats.connections, 1);

    // Leaving one room makes room for one more.
    client.ws.send(JSON.stringify({ type: 'leave', room: 'r-0' }));
    await client.next('left');
    sendJoins(client, ['again-1', 'again-2']);
    const again = await answers(client, ['again-1', 'again-2']);
    assert.equal(again.get('again-1').type, 'joined');
    assert.equal(again.get('again-2').code, 'ERR_REALTIME_TOO_MANY_ROOMS');
  });

  it('WS-18 a user is capped across sockets (maxRoomsPerUser, distinct rooms); other users are not affected', async () => {
    const manager = createManager();
    const { url, hub } = await serve(manager, { ...FAST, maxRoomsPerSocket: 4, maxRoomsPerUser: 6, authorizeJoin: () => true });
    const { cookie } = await login(manager, 'alice');
    const tab1 = await ready(url, { cookie });
    const tab2 = await ready(url, { cookie: (await login(manager, 'alice')).cookie });

    sendJoins(tab1, ['a', 'b', 'c', 'd']);
    assert.ok([...(await answers(tab1, ['a', 'b', 'c', 'd'])).values()].every((f) => f.type === 'joined'));
    // The same rooms from a second tab are no new rooms for the user; two new ones fit, the
    // third is over the user's six.
    sendJoins(tab2, ['a', 'e', 'f', 'g']);
    const second = await answers(tab2, ['a', 'e', 'f', 'g']);
    assert.deepEqual(
      ['a', 'e', 'f'].map((room) => second.get(room).type),
      ['joined', 'joined', 'joined'],
    );
    assert.deepEqual({ ...second.get('g'), type: 'error' }, { type: 'error', code: 'ERR_REALTIME_TOO_MANY_ROOMS', room: 'g', cap: 'user', limit: 6 });

    // Another user has their own budget.
    const bob = await ready(url, { cookie: (await login(manager, 'bob')).cookie });
    sendJoins(bob, ['g']);
    assert.equal((await answers(bob, ['g'])).get('g').type, 'joined');

    // When a tab closes, its rooms no longer count against the user.
    tab1.ws.close();
    await tab1.closed;
    await waitFor('the hub to forget the closed tab', () => hub.stats.connections === 2);
    const tab3 = await ready(url, { cookie });
    sendJoins(tab3, ['g', 'h']);
    const third = await answers(tab3, ['g', 'h']);
    assert.deepEqual([third.get('g').type, third.get('h').type], ['joined', 'joined']);
  });

  it('WS-18 connection.join() from the application obeys the same cap and says so', async () => {
    const manager = createManager();
    const results: boolean[] = [];
    const { url } = await serve(manager, {
      maxRoomsPerSocket: 2,
      onConnection: (connection: Connection) => {
        for (const room of ['x', 'y', 'z']) results.push(connection.join(room));
      },
    });
    await ready(url, { cookie: (await login(manager, 'alice')).cookie });
    await waitFor('the joins', () => results.length === 3);
    assert.deepEqual(results, [true, true, false]);
  });

  it('WS-18 caps are checked at start-up: integers, and the user cap at least the socket cap', () => {
    const manager = createManager();
    for (const bad of [{ maxRoomsPerSocket: 0 }, { maxRoomsPerSocket: 2.5 }, { maxRoomsPerUser: -1 }, { maxRoomsPerSocket: 10, maxRoomsPerUser: 5 }]) {
      assert.throws(() => createHub({ manager, origins: [], logger: quiet, ...bad }), SessionConfigError, JSON.stringify(bad));
    }
    // The default user cap follows a larger socket cap instead of contradicting it.
    assert.doesNotThrow(() => createHub({ manager, origins: [], logger: quiet, maxRoomsPerSocket: 100 }).close());
  });
});
