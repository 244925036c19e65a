// When the local cache is on without being asked for: with the store's own bus (SQLite), or
// with a bus that reaches other processes; never with the in-process memoryBus alone, which
// cannot tell other processes what this one did. `cache: false` leaves the store's bus unused.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStore } from '@coatcheck/sqlite';
import { createSessionManager, type SessionManagerOptions } from '../src/index.js';
import { memoryBus, type SessionBus } from '../src/bus/index.js';
import { memoryStore } from '../src/store/memory-store.js';
import type { SessionStore } from '../src/store-kit/index.js';

const SECRET = 'defaults-secret-5d1f9b3e7a2c6e0f4b8d2a6c9e1f3b';
const dir = mkdtempSync(join(tmpdir(), 'coatcheck-defaults-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function sqlite() {
  const store = sqliteStore({ filename: join(dir, `defaults-${files++}.db`), pruneIntervalMs: 0 });
  after(() => store.close());
  return store;
}

/** Whether a second read of a fresh session is served from the cache, and the manager's bus. */
async function observe(store: SessionStore, options: Partial<SessionManagerOptions> = {}) {
  const errors: string[] = [];
  const manager = createSessionManager({ store, secrets: [SECRET], production: true, logger: { warn() {}, error: (m) => void errors.push(m) }, ...options });
  after(() => manager.close());
  const session = await manager.load({ secure: true });
  await session.login('alice');
  const cookie = (await session.commit())[0]?.split(';')[0];
  await manager.load({ cookie, secure: true });
  return { bus: manager.bus?.name ?? null, cached: manager.cachedSessions > 0, errors };
}

describe('the local cache by default', () => {
  it('SF-29 a SQLite store with no other option: the store bus and the cache', async () => {
    const store = sqlite();
    assert.deepStrictEqual(await observe(store), { bus: 'sqlite', cached: true, errors: [] });
    assert.deepStrictEqual(await observe(sqlite(), { cache: { ttlMs: 1000 } }), { bus: 'sqlite', cached: true, errors: [] });
  });

  it('cache: false turns the cache off and takes no bus', async () => {
    assert.deepStrictEqual(await observe(sqlite(), { cache: false }), { bus: null, cached: false, errors: [] });
  });

  it('SF-29 memoryBus() keeps the cache off unless cache: true asks for it (one process only)', async () => {
    assert.deepStrictEqual(await observe(sqlite(), { bus: memoryBus() }), { bus: 'memory', cached: false, errors: [] });
    assert.deepStrictEqual(await observe(sqlite(), { bus: memoryBus(), cache: true }), { bus: 'memory', cached: true, errors: [] });
  });

  it('a bus that reaches other processes turns the cache on, whatever the store', async () => {
    const shared = sqlite().bus();
    const store = memoryStore({ sweepIntervalMs: 0, quiet: true });
    assert.deepStrictEqual(await observe(store, { bus: shared }), { bus: 'sqlite', cached: true, errors: [] });
    assert.deepStrictEqual(await observe(memoryStore({ sweepIntervalMs: 0, quiet: true })), { bus: null, cached: false, errors: [] });
  });

  it('a store whose bus cannot be opened leaves the manager without bus and cache, and says so', async () => {
    const store = sqlite();
    await store.close();
    const errors: string[] = [];
    const manager = createSessionManager({ store, secrets: [SECRET], logger: { warn() {}, error: (m) => void errors.push(m) } });
    assert.equal(manager.bus, null);
    assert.match(errors[0] ?? '', /could not open its bus; the local cache stays off/);
  });

  it('cache: true without a bus is refused only when the store offers none', () => {
    const lone = memoryStore({ sweepIntervalMs: 0, quiet: true });
    assert.throws(() => createSessionManager({ store: lone, secrets: [SECRET], cache: true }), /cache requires a bus/);
    const bus: SessionBus = createSessionManager({ store: sqlite(), secrets: [SECRET], cache: true }).bus as SessionBus;
    assert.equal(bus.name, 'sqlite');
  });
});
