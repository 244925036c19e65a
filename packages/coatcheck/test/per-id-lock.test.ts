// The per-id lock: holders of one id run one after another, in call order; other ids do not
// wait; a failing holder releases the lock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPerIdLock } from '../src/store/per-id-lock.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('per-id lock', () => {
  it('serializes one id, in call order, and lets other ids through', async () => {
    const withLock = createPerIdLock();
    const log: string[] = [];
    const gate = deferred();
    const first = withLock('a', async () => {
      log.push('a1 start');
      await gate.promise;
      log.push('a1 end');
    });
    const second = withLock('a', async () => void log.push('a2'));
    const other = withLock('b', async () => void log.push('b'));
    await other;
    assert.deepEqual(log, ['a1 start', 'b'], 'b ran while a was held; a2 waits');
    gate.resolve();
    await Promise.all([first, second]);
    assert.deepEqual(log, ['a1 start', 'b', 'a1 end', 'a2']);
  });

  it('a holder that throws releases the lock and its error reaches its caller only', async () => {
    const withLock = createPerIdLock();
    const failing = withLock('a', async () => {
      throw new Error('boom');
    });
    const next = withLock('a', async () => 'ran');
    await assert.rejects(failing, /boom/);
    assert.equal(await next, 'ran');
  });
});
