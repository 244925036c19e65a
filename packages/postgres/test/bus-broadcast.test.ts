// Application broadcasts on the Postgres bus: they share the NOTIFY channel with session
// messages, reach every instance including the sender, and one that cannot fit in a NOTIFY
// is refused up front with RangeError (nothing is sent).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BusMessage } from 'coatcheck/bus';
import { DATABASE_URL, unique, waitFor } from './helpers/database.js';
import { collect, openBus } from './helpers/bus.js';

describe('SF-29 Postgres bus broadcasts', () => {
  it("SF-29 a broadcast reaches its channel's listeners on both instances and never the session listeners", async () => {
    const channel = unique('cc_bcast');
    const a = await openBus({ connectionString: DATABASE_URL, channel });
    const b = await openBus({ connectionString: DATABASE_URL, channel });
    const sessions = collect(a);
    const [onA, onB, elsewhere]: [string[], string[], string[]] = [[], [], []];
    a.onBroadcast('realtime', (p) => onA.push(p));
    b.onBroadcast('realtime', (p) => onB.push(p));
    b.onBroadcast('other', (p) => elsewhere.push(p));
    const payload = JSON.stringify({ text: 'héllo "quoted"' });
    await a.broadcast('realtime', payload);
    await b.broadcast('realtime', 'second');
    const changed: BusMessage = { type: 'changed', origin: 'x', ids: ['s1'] };
    await a.publish(changed);
    await waitFor('broadcasts on both', () => onA.length === 2 && onB.length === 2);
    await sessions.until('the session message', (m) => m.length === 1);
    assert.deepEqual(onA, [payload, 'second']);
    assert.deepEqual(onB, [payload, 'second']);
    assert.deepEqual(elsewhere, []);
    assert.deepStrictEqual(sessions.messages, [changed]);
  });

  it('SF-29 a broadcast larger than one NOTIFY is refused with RangeError; one at the limit arrives', async () => {
    const channel = unique('cc_bcast_big');
    const bus = await openBus({ connectionString: DATABASE_URL, channel });
    const seen: string[] = [];
    bus.onBroadcast('r', (p) => seen.push(p));
    const fits = 'x'.repeat(bus.maxBroadcastBytes - 1);
    await bus.broadcast('r', fits);
    await waitFor('the largest broadcast', () => seen.length === 1);
    assert.equal(seen[0], fits);
    await assert.rejects(bus.broadcast('r', 'x'.repeat(bus.maxBroadcastBytes + 10)), RangeError);
  });
});
