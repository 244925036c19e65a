// The hashing bound shared fairly between client addresses (AP-02): who runs next, the share
// of one client, and the global bound. Tasks run until the test releases them, so every order
// here is decided by the gate alone, never by how fast anything is.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpError } from '../src/http/errors.js';
import { createHashGate, type HashGate } from '../src/users/hash-gate.js';
import { createShop } from './helpers.js';

/** Runs labelled tasks through `gate`; each runs until {@link finishOne} ends the oldest running one. */
function harness(gate: HashGate) {
  const started: string[] = [];
  const running: (() => void)[] = [];
  const outcomes = new Map<string, Promise<string>>();
  const submit = (client: string, label: string) => {
    const outcome = gate
      .run(client, () => {
        started.push(label);
        return new Promise<string>((resolve) => running.push(() => resolve('done')));
      })
      .catch((error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.deepEqual([error.statusCode, error.code, error.headers['retry-after']], [503, 'ERR_PASSWORD_HASHING_BUSY', '1']);
        return 'busy';
      });
    outcomes.set(label, outcome);
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const finishOne = async () => {
    running.shift()?.();
    await settle();
  };
  const finishAll = async () => {
    while (running.length > 0) await finishOne();
  };
  const outcome = (label: string) => outcomes.get(label) as Promise<string>;
  return { started, submit, settle, finishOne, finishAll, outcome };
}

describe('the hashing bound, shared fairly between clients', () => {
  it('AP-02 a client that sends one waits for the next free slot, not behind a flooding client', async () => {
    const gate = createHashGate({ concurrency: 1, maxQueued: 16, maxQueuedPerClient: 16 });
    const h = harness(gate);
    for (let i = 0; i < 10; i++) h.submit('198.51.100.1', `A${i}`);
    h.submit('203.0.113.7', 'B0');
    await h.settle();
    assert.deepEqual(h.started, ['A0']);
    assert.deepEqual([gate.running, gate.queued], [1, 10]);
    await h.finishOne();
    // In arrival order B0 would be eleventh.
    assert.deepEqual(h.started, ['A0', 'B0']);
    await h.finishAll();
    assert.deepEqual(h.started, ['A0', 'B0', 'A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9']);
    assert.deepEqual([gate.running, gate.queued], [0, 0]);
  });

  it('AP-02 clients that keep sending take turns, whoever queued more', async () => {
    const gate = createHashGate({ concurrency: 1, maxQueued: 16, maxQueuedPerClient: 16 });
    const h = harness(gate);
    for (let i = 0; i < 4; i++) h.submit('a', `A${i}`);
    for (let i = 0; i < 2; i++) h.submit('b', `B${i}`);
    for (let i = 0; i < 2; i++) h.submit('c', `C${i}`);
    await h.finishAll();
    // B and C come first as newcomers, then the least recently served client each time.
    assert.deepEqual(h.started, ['A0', 'B0', 'C0', 'A1', 'B1', 'C1', 'A2', 'A3']);
  });

  it('AP-02 a client served lately is not held back forever by a stream of new ones', async () => {
    const gate = createHashGate({ concurrency: 1, maxQueued: 1024, maxQueuedPerClient: 4 });
    const h = harness(gate);
    h.submit('a', 'A0');
    h.submit('a', 'A1');
    for (let i = 0; i < 100; i++) h.submit(`new-${i}`, `N${i}`);
    await h.finishAll();
    assert.equal(h.started.length, 102);
    // New clients go first until A's last start is 64 starts back and forgotten; from then on
    // A1 ranks as a newcomer that came earlier than all of them.
    assert.equal(h.started.indexOf('A1'), 65);
  });

  it('AP-02 the last free slot is kept for a client not served lately, so its hash starts at once', async () => {
    const gate = createHashGate({ concurrency: 2, maxQueued: 16, maxQueuedPerClient: 16 });
    const h = harness(gate);
    for (let i = 0; i < 3; i++) h.submit('a', `A${i}`);
    await h.settle();
    // A's first took a slot as a newcomer; served lately now, A leaves the other one free.
    assert.deepEqual(h.started, ['A0']);
    assert.deepEqual([gate.running, gate.queued], [1, 2]);
    h.submit('b', 'B0');
    await h.settle();
    assert.deepEqual(h.started, ['A0', 'B0']);
    assert.deepEqual([gate.running, gate.queued], [2, 2]);
    // When the newcomer is done, its slot is kept again; when A's is, A takes its turn.
    await h.finishOne();
    assert.deepEqual([h.started, gate.running], [['A0', 'B0'], 1]);
    await h.finishOne();
    assert.deepEqual([h.started, gate.running], [['A0', 'B0', 'A1'], 1]);
    await h.finishAll();
    assert.deepEqual(h.started, ['A0', 'B0', 'A1', 'A2']);
  });

  it('AP-02 with one slot, nothing is kept: a client served lately still gets it', async () => {
    const gate = createHashGate({ concurrency: 1 });
    const h = harness(gate);
    h.submit('a', 'A0');
    h.submit('a', 'A1');
    await h.finishOne();
    assert.deepEqual([h.started, gate.running, gate.queued], [['A0', 'A1'], 1, 0]);
    await h.finishAll();
  });

  it('AP-02 one client waits with at most `maxQueuedPerClient`; past that only it is refused', async () => {
    const gate = createHashGate({ concurrency: 1, maxQueued: 16, maxQueuedPerClient: 2 });
    const h = harness(gate);
    for (let i = 0; i < 5; i++) h.submit('a', `A${i}`);
    h.submit('b', 'B0');
    // Refused before anything finished: nobody waits to be told no.
    assert.deepEqual(await Promise.all(['A3', 'A4'].map(h.outcome)), ['busy', 'busy']);
    assert.deepEqual([gate.running, gate.queued], [1, 3]);
    await h.finishAll();
    assert.deepEqual(await Promise.all(['A0', 'A1', 'A2', 'B0'].map(h.outcome)), ['done', 'done', 'done', 'done']);
  });

  it('AP-02 the queue never holds more than `maxQueued`; a full one makes room by refusing the newest of the longest queue', async () => {
    const gate = createHashGate({ concurrency: 1, maxQueued: 3, maxQueuedPerClient: 3 });
    const h = harness(gate);
    for (let i = 0; i < 4; i++) h.submit('a', `A${i}`);
    await h.settle();
    assert.deepEqual([gate.running, gate.queued], [1, 3]);
    // B and C each take the place of A's newest waiting entry.
    h.submit('b', 'B0');
    assert.equal(await h.outcome('A3'), 'busy');
    h.submit('c', 'C0');
    assert.equal(await h.outcome('A2'), 'busy');
    assert.equal(gate.queued, 3);
    // Now every client has one waiting: a fourth is refused itself, as is a second from B.
    h.submit('d', 'D0');
    h.submit('b', 'B1');
    assert.deepEqual(await Promise.all(['D0', 'B1'].map(h.outcome)), ['busy', 'busy']);
    assert.deepEqual([gate.running, gate.queued], [1, 3]);
    await h.finishAll();
    assert.deepEqual(h.started, ['A0', 'B0', 'C0', 'A1']);
  });

  it('AP-02 with no queue at all, whatever finds the slots taken is refused', async () => {
    const gate = createHashGate({ concurrency: 1, maxQueued: 0 });
    const h = harness(gate);
    h.submit('a', 'A0');
    h.submit('b', 'B0');
    assert.equal(await h.outcome('B0'), 'busy');
    await h.finishAll();
    assert.equal(await h.outcome('A0'), 'done');
  });

  it('AP-02 the shop shares hashing by client address: a flood from one address cannot crowd out a login from another', async () => {
    const CHEAP = { N: 2 ** 14, r: 8, p: 1 };
    const { app } = await createShop({ app: { passwordHashing: { params: CHEAP, concurrency: 1, maxQueued: 2, maxQueuedPerClient: 2 } } });
    const alice = { username: 'alice', password: 'correct horse battery' };
    assert.equal((await app.inject({ method: 'POST', url: '/register', remoteAddress: '192.0.2.9', payload: alice })).statusCode, 201);
    // Five bogus logins (the address throttle's burst) reach the gate from one address; then
    // alice logs in from hers. One runs and two wait, so in arrival order alice would be
    // refused; by address, the flooder's newest waiting entry makes room for her.
    const login = (remoteAddress: string, payload: object) => app.inject({ method: 'POST', url: '/login', remoteAddress, payload });
    const flood = Array.from({ length: 5 }, (_, i) => login('198.51.100.1', { username: `spray${i}`, password: 'not the password' }));
    const real = login('203.0.113.7', alice);
    const statuses = (await Promise.all(flood)).map((res) => res.statusCode).sort();
    assert.equal((await real).statusCode, 200);
    assert.deepEqual(statuses, [401, 401, 503, 503, 503]);
  });
});
