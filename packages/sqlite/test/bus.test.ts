// SF-29 (multi-instance consistency) on SQLite: what a bus publishes reaches the buses of
// every connection to the file, itself included, in order; rows that are not messages are
// dropped; old rows are pruned; a closed or broken connection gives store errors and a `down`
// state, never a raw driver error. Two connections in one process stand for two processes
// here (`data_version` tells connections apart, not processes); bus-processes.test.ts uses
// real processes.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { BusMessage, BusState } from 'coatcheck/bus';
import { isSessionError } from 'coatcheck/errors';
import { waitFor } from '@coatcheck/testkit/wait-for';
import { SQLITE_BUS_WARNING, sqliteBus, sqliteStore, type SqliteBus } from '@coatcheck/sqlite';
import { DEFAULT_DRIVER, type NativeDatabase, openNative } from './fixtures/drivers.js';
import { useTempDir } from './fixtures/temp-dir.js';

const path = useTempDir();
const isStoreError = (error: unknown): boolean => isSessionError(error) && error.code === 'ERR_SESSION_STORE_UNAVAILABLE';

/** A file connection of this Node's default driver, set up as the store sets one up, closed after the file. */
function connect(filename: string): NativeDatabase {
  const db = openNative(DEFAULT_DRIVER, filename);
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA journal_mode = WAL');
  after(() => db.close());
  return db;
}

function open(db: NativeDatabase, options: { tableName?: string; retentionMs?: number } = {}): SqliteBus {
  const bus = sqliteBus({ database: db, pollIntervalMs: 5, ...options });
  after(() => bus.close());
  return bus;
}

function collect(bus: SqliteBus): BusMessage[] {
  const messages: BusMessage[] = [];
  bus.subscribe((message) => messages.push(message));
  return messages;
}

describe('SF-29 SQLite bus delivery', () => {
  it("SF-29 buses on two connections see each other's messages and their own, in order", async () => {
    const filename = path('delivery.db');
    const a = open(connect(filename));
    const b = open(connect(filename));
    assert.equal(a.state, 'up');
    const [inboxA, inboxB] = [collect(a), collect(b)];
    const sent: BusMessage[] = [
      { type: 'changed', origin: 'instance-a', ids: ['s1', 's2'] },
      { type: 'ended', origin: 'instance-b', ids: ['s3'], userId: 'alice', reason: 'revoke-all' },
      { type: 'upgraded', origin: 'instance-a', oldId: null, newId: 's4', userId: 'bob' },
    ];
    await a.publish(sent[0] as BusMessage);
    await b.publish(sent[1] as BusMessage);
    await waitFor('the second message on A', () => inboxA.length >= 2);
    await a.publish(sent[2] as BusMessage);
    await waitFor('three messages on both', () => inboxA.length >= 3 && inboxB.length >= 3);
    assert.deepStrictEqual(inboxA, sent);
    assert.deepStrictEqual(inboxB, sent);
    assert.ok(Object.isFrozen(inboxA[0]), 'delivered frozen');
  });

  it('SF-29 buses sharing one connection (the store and a hub) deliver to each other directly', async () => {
    const store = sqliteStore({ filename: path('shared.db'), pruneIntervalMs: 0 });
    after(() => store.close());
    assert.equal(store.bus(), store.bus(), 'the store has one bus');
    const other = open(store.db as unknown as NativeDatabase);
    const [inboxStore, inboxOther] = [collect(store.bus()), collect(other)];
    const message: BusMessage = { type: 'changed', origin: 'x', ids: ['s1'] };
    await store.bus().publish(message);
    await waitFor('the message on both', () => inboxStore.length === 1 && inboxOther.length === 1);
    assert.deepStrictEqual(inboxOther, [message]);
  });

  it('SF-29 rows that are not bus messages are dropped; the bus keeps delivering', async () => {
    const filename = path('garbage.db');
    const bus = open(connect(filename));
    const inbox = collect(bus);
    const writer = connect(filename);
    const insert = writer.prepare('INSERT INTO coatcheck_sessions_changes (sender, payload, created_at) VALUES (?, ?, ?)');
    const garbage = ['not json', '', 'null', '[]', '{}', '{"type":"changed"}', '{"type":"changed","origin":"x","ids":[1]}', '{"type":"deleted","origin":"x"}'];
    for (const payload of garbage) insert.run('someone', payload, Date.now());
    const valid: BusMessage = { type: 'changed', origin: 'admin', ids: ['after-garbage'] };
    insert.run('someone', JSON.stringify(valid), Date.now());
    await waitFor('the valid message', () => inbox.length >= 1);
    assert.deepStrictEqual(inbox, [valid]);
    assert.equal(bus.dropped, garbage.length);
    assert.equal(bus.state, 'up');
  });

  it('SF-29 a new bus starts after the rows already there; rows past the retention are pruned', async () => {
    const filename = path('prune.db');
    const first = open(connect(filename), { retentionMs: 100 });
    await first.publish({ type: 'changed', origin: 'x', ids: ['old'] });
    const late = collect(open(connect(filename)));
    const reader = connect(filename);
    const count = () => (reader.prepare('SELECT count(*) AS n FROM coatcheck_sessions_changes').get() as { n: number }).n;
    assert.equal(count(), 1);
    await waitFor('the old row to be pruned', () => count() === 0);
    assert.deepStrictEqual(late, [], 'an old message is not delivered to a bus created after it');
  });

  it('SF-29 broadcasts reach both connections, never the session listeners; too large is RangeError', async () => {
    const filename = path('broadcast.db');
    const [a, b] = [open(connect(filename)), open(connect(filename))];
    const sessions = collect(b);
    const [onA, onB]: [string[], string[]] = [[], []];
    a.onBroadcast('realtime', (p) => onA.push(p));
    b.onBroadcast('realtime', (p) => onB.push(p));
    await a.broadcast('realtime', 'héllo "quoted"');
    await b.broadcast('realtime', 'second');
    await waitFor('both broadcasts on both', () => onA.length === 2 && onB.length === 2);
    assert.deepStrictEqual(onB, ['héllo "quoted"', 'second']);
    assert.deepStrictEqual(sessions, []);
    await assert.rejects(a.broadcast('realtime', 'x'.repeat(a.maxBroadcastBytes)), RangeError);
  });
});

describe('SF-27 SQLite bus errors and shutdown', () => {
  it('SF-27 after close, publish and ping fail with a store error and the state is down', async () => {
    const bus = open(connect(path('closed.db')));
    const states: BusState[] = [];
    bus.onStateChange((state) => states.push(state));
    await bus.ping();
    await bus.close();
    assert.equal(bus.state, 'down');
    assert.deepStrictEqual(states, ['down']);
    await assert.rejects(bus.publish({ type: 'changed', origin: 'a', ids: [] }), isStoreError);
    await assert.rejects(bus.ping(), isStoreError);
  });

  it('SF-29 a connection closed under the bus: down with a warning, and store errors, not driver errors', async () => {
    const db = openNative(DEFAULT_DRIVER, path('broken.db'));
    const bus = open(db);
    const warnings: string[] = [];
    const onWarning = (warning: Error & { code?: string }): void => void (warning.code === SQLITE_BUS_WARNING && warnings.push(warning.message));
    process.on('warning', onWarning);
    after(() => process.off('warning', onWarning));
    db.close();
    await waitFor('the bus to go down', () => bus.state === 'down');
    await waitFor('the warning', () => warnings.length >= 1);
    assert.match(warnings[0] as string, /poll failed/);
    await assert.rejects(bus.publish({ type: 'changed', origin: 'a', ids: ['s'] }), isStoreError);
    await assert.rejects(bus.ping(), isStoreError);
  });

  it('SF-29 a throwing subscriber is reported; the other subscribers still get every message', async () => {
    const bus = open(connect(path('throws.db')));
    const warnings: string[] = [];
    const onWarning = (warning: Error & { code?: string }): void => void (warning.code === SQLITE_BUS_WARNING && warnings.push(warning.message));
    process.on('warning', onWarning);
    after(() => process.off('warning', onWarning));
    bus.subscribe(() => {
      throw new Error('subscriber bug');
    });
    const inbox = collect(bus);
    await bus.publish({ type: 'changed', origin: 'a', ids: ['s1'] });
    await waitFor('the message', () => inbox.length === 1);
    await waitFor('the warning', () => warnings.length === 1);
    assert.match(warnings[0] as string, /subscriber bug/);
  });

  it('rejects options that cannot work with SessionConfigError', () => {
    const db = connect(path('options.db'));
    const configError = (error: unknown) => isSessionError(error) && error.code === 'ERR_SESSION_INVALID_OPTION';
    assert.throws(() => sqliteBus({ database: {} as never }), configError);
    assert.throws(() => sqliteBus({ database: db, tableName: 'x; DROP' }), configError);
    assert.throws(() => sqliteBus({ database: db, pollIntervalMs: 0 }), configError);
    assert.throws(() => sqliteBus({ database: db, pollIntervalMs: 100, retentionMs: 500 }), configError);
  });
});

describe('SQLite bus on a private database', () => {
  it("with ':memory:' the bus delivers in-process, as memoryBus does", async () => {
    const store = sqliteStore({ pruneIntervalMs: 0 });
    after(() => store.close());
    const inbox = collect(store.bus());
    const message: BusMessage = { type: 'ended', origin: 'x', ids: ['s1'], userId: 'u', reason: 'logout' };
    await store.bus().publish(message);
    await waitFor('the message', () => inbox.length === 1);
    assert.deepStrictEqual(inbox, [message]);
    assert.equal(store.bus().state, 'up');
    await store.bus().ping();
  });
});
