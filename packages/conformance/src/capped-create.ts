/**
 * Conformance: `createCapped`, the per-user session cap behind `maxSessionsPerUser`. Which
 * sessions make room (oldest, idlest), a refusal that changes nothing, the session a login
 * replaces, expired sessions, and racing creates, from two stores on one backend when the
 * backend is shared (LC-21, AB-08). Skipped for a store without the capability. Registered by
 * `describeStoreConformance`.
 *
 * @module
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CappedCreateResult, SessionCap, SessionRecord, SessionStore } from 'coatcheck/store-kit';
import { MINUTE, buildRecord, randomUserId } from './records.js';
import { withStore, type SuiteHarness } from './harness.js';

const sorted = (ids: readonly string[]): string[] => [...ids].sort();
const cap = (max: number, evict: SessionCap['evict'], replaces: string | null = null): SessionCap => ({ max, evict, replaces });

function capped(store: SessionStore, record: SessionRecord, limit: SessionCap, now: number): Promise<CappedCreateResult> {
  if (store.createCapped === undefined) throw new Error('createCapped is missing');
  return store.createCapped(record, limit, now);
}

function evictedIds(result: CappedCreateResult): string[] {
  assert.equal(result.outcome, 'created', `outcome ${result.outcome}`);
  return result.outcome === 'created' ? result.evicted.map((session) => session.id) : [];
}

/** Three sessions of one user, created a minute apart, the first seen last. */
async function threeSessions(store: SessionStore, userId: string, now: number): Promise<SessionRecord[]> {
  const records = [3, 2, 1].map((age) => buildRecord({ now, userId, createdAt: now - age * MINUTE, lastSeenAt: now - (4 - age) * MINUTE }));
  for (const record of records) assert.equal(await store.create(record), true);
  return records;
}

/** Registers the capped-create tests. */
export function describeCappedCreate(harness: SuiteHarness): void {
  describe('capped create (per-user session cap)', () => {
    const run = (title: string, body: (store: SessionStore) => Promise<void>) =>
      it(
        title,
        withStore(harness, async (store) => {
          if (store.createCapped === undefined) return;
          await body(store);
        }),
      );

    run('LC-21 room left: created, nothing evicted', async (store) => {
      const now = Date.now();
      const userId = randomUserId();
      await threeSessions(store, userId, now);
      const fresh = buildRecord({ now, userId });
      assert.deepStrictEqual(evictedIds(await capped(store, fresh, cap(4, 'oldest'), now)), []);
      assert.deepStrictEqual(await store.get(fresh.id, now), fresh);
      assert.equal((await store.listByUser(userId, now)).length, 4);
    });

    run('LC-21 evict oldest: the session created first ends, with its device', async (store) => {
      const now = Date.now();
      const userId = randomUserId();
      const [first, second, third] = await threeSessions(store, userId, now);
      const fresh = buildRecord({ now, userId });
      const result = await capped(store, fresh, cap(3, 'oldest'), now);
      assert.deepStrictEqual(result, {
        outcome: 'created',
        evicted: [{ id: first?.id, createdAt: first?.createdAt, lastSeenAt: first?.lastSeenAt, device: first?.device }],
      });
      assert.equal(await store.get(first?.id ?? '', now), null);
      assert.deepStrictEqual(sorted((await store.listByUser(userId, now)).map((r) => r.id)), sorted([second?.id ?? '', third?.id ?? '', fresh.id]));
    });

    run('LC-21 evict idlest: the session seen longest ago ends', async (store) => {
      const now = Date.now();
      const userId = randomUserId();
      const [first, second, third] = await threeSessions(store, userId, now);
      // The third was created last but seen least recently.
      assert.deepStrictEqual(evictedIds(await capped(store, buildRecord({ now, userId }), cap(2, 'idlest'), now)), [third?.id, second?.id]);
      assert.notEqual(await store.get(first?.id ?? '', now), null);
    });

    run('LC-21 a lowered cap evicts as many as it takes, oldest first', async (store) => {
      const now = Date.now();
      const userId = randomUserId();
      const [first, second, third] = await threeSessions(store, userId, now);
      assert.deepStrictEqual(evictedIds(await capped(store, buildRecord({ now, userId }), cap(1, 'oldest'), now)), [first?.id, second?.id, third?.id]);
      assert.equal((await store.listByUser(userId, now)).length, 1);
    });

    run('LC-21 refuse: a full user gets no new session and keeps every old one', async (store) => {
      const now = Date.now();
      const userId = randomUserId();
      const records = await threeSessions(store, userId, now);
      const fresh = buildRecord({ now, userId });
      assert.deepStrictEqual(await capped(store, fresh, cap(3, 'none'), now), { outcome: 'full', live: 3 });
      assert.equal(await store.get(fresh.id, now), null);
      assert.deepStrictEqual(sorted((await store.listByUser(userId, now)).map((r) => r.id)), sorted(records.map((r) => r.id)));
    });

    run('LC-21 the session a login replaces is neither counted nor evicted', async (store) => {
      const now = Date.now();
      const userId = randomUserId();
      const [first] = await threeSessions(store, userId, now);
      const fresh = buildRecord({ now, userId });
      assert.deepStrictEqual(evictedIds(await capped(store, fresh, cap(3, 'oldest', first?.id ?? null), now)), []);
      assert.equal((await store.listByUser(userId, now)).length, 4);
      assert.deepStrictEqual(await capped(store, buildRecord({ now, userId }), cap(4, 'none', fresh.id), now), { outcome: 'created', evicted: [] });
    });

    run('LC-21 expired sessions neither count nor show as evicted; other users are untouched', async (store) => {
      const now = Date.now();
      const userId = randomUserId();
      const other = buildRecord({ now, userId: randomUserId() });
      await store.create(other);
      const expired = buildRecord({ now: now - 60 * MINUTE, userId, expiresAt: now - MINUTE });
      await store.create(expired);
      const alive = buildRecord({ now, userId });
      await store.create(alive);
      assert.deepStrictEqual(evictedIds(await capped(store, buildRecord({ now, userId }), cap(2, 'oldest'), now)), []);
      assert.deepStrictEqual(await store.get(other.id, now), other);
      assert.notEqual(await store.get(alive.id, now), null);
    });

    run('LC-21 a taken id is "exists" and evicts nothing', async (store) => {
      const now = Date.now();
      const userId = randomUserId();
      const [first] = await threeSessions(store, userId, now);
      const taken = buildRecord({ now, userId, id: first?.id ?? '' });
      assert.deepStrictEqual(await capped(store, taken, cap(1, 'oldest'), now), { outcome: 'exists' });
      assert.equal((await store.listByUser(userId, now)).length, 3);
    });

    describeRaces(harness);
  });
}

/** Two stores on one backend when the backend is shared (a file, a server), else one. */
async function racers(harness: SuiteHarness, store: SessionStore): Promise<{ stores: SessionStore[]; extra: SessionStore | null }> {
  const second = await harness.open();
  const probe = buildRecord({ userId: randomUserId() });
  await store.create(probe);
  const shared = (await second.get(probe.id, Date.now())) !== null;
  await store.delete(probe.id);
  if (shared) return { stores: [store, second], extra: second };
  await harness.release(second);
  return { stores: [store], extra: null };
}

function describeRaces(harness: SuiteHarness): void {
  const n = Math.min(harness.options.concurrency, 20);
  for (const evict of ['oldest', 'none'] as const) {
    it(
      `AB-08 ${n} racing capped creates of one user (cap 3, evict ${evict}) leave exactly 3 live sessions`,
      withStore(harness, async (store) => {
        if (store.createCapped === undefined) return;
        const { stores, extra } = await racers(harness, store);
        try {
          const now = Date.now();
          const userId = randomUserId();
          const records = Array.from({ length: n }, (_, i) => buildRecord({ now, userId, createdAt: now - (n - i) }));
          const results = await Promise.all(records.map((record, i) => capped(stores[i % stores.length] as SessionStore, record, cap(3, evict), now)));
          const created = records.filter((_, i) => results[i]?.outcome === 'created').map((r) => r.id);
          const evicted = results.flatMap((result) => (result.outcome === 'created' ? result.evicted.map((s) => s.id) : []));
          const live = (await store.listByUser(userId, now)).map((r) => r.id);
          assert.equal(live.length, 3, `live: ${live.length}, outcomes: ${results.map((r) => r.outcome).join(',')}`);
          // Every created session is either live or was evicted exactly once, never both.
          assert.deepStrictEqual(sorted([...live, ...evicted]), sorted(created));
          if (evict === 'none') {
            assert.equal(created.length, 3);
            assert.ok(results.every((r) => r.outcome === 'created' || (r.outcome === 'full' && r.live === 3)));
          } else assert.equal(created.length, n);
        } finally {
          if (extra !== null) await harness.release(extra);
        }
      }),
    );
  }
}
