/**
 * Conformance: the per-user index behind "list my devices" and "log out everywhere".
 * Registered by `describeStoreConformance`.
 *
 * @module
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE, buildRecord, nextVersion, randomId, randomUserId } from './records.js';
import { withStore, type SuiteHarness } from './harness.js';

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

/** Registers the per-user index tests. */
export function describeUserIndex(harness: SuiteHarness): void {
  describe('per-user index', () => {
    it(
      'listByUser returns the user’s live sessions oldest first',
      withStore(harness, async (store) => {
        const now = Date.now();
        const userId = randomUserId();
        const records = [3, 1, 4, 0, 2].map((age) => buildRecord({ now, userId, createdAt: now - age * MINUTE }));
        // Created in shuffled order so insertion order cannot pass for creation order.
        for (const record of records) await store.create(record);
        const expected = [...records].sort((a, b) => a.createdAt - b.createdAt);
        assert.deepStrictEqual(await store.listByUser(userId, now), expected);
      }),
    );

    it(
      'listByUser ignores anonymous records and other users',
      withStore(harness, async (store) => {
        const now = Date.now();
        const alice = randomUserId();
        const bob = randomUserId();
        const mine = buildRecord({ now, userId: alice });
        await store.create(mine);
        await store.create(buildRecord({ now, userId: bob }));
        await store.create(buildRecord({ now, userId: null }));
        assert.deepStrictEqual(await store.listByUser(alice, now), [mine]);
        assert.deepStrictEqual(await store.listByUser(randomUserId(), now), []);
      }),
    );

    it(
      'a userId change on update moves the record between users',
      withStore(harness, async (store) => {
        const now = Date.now();
        const alice = randomUserId();
        const bob = randomUserId();
        const anonymous = buildRecord({ now, userId: null, data: { cart: [1] } });
        await store.create(anonymous);

        // Login: the anonymous session is upgraded in place.
        const asAlice = nextVersion(anonymous, { userId: alice, authenticatedAt: now });
        assert.equal(await store.update(asAlice, 1, now), 'ok');
        assert.deepStrictEqual(await store.listByUser(alice, now), [asAlice]);

        const asBob = nextVersion(asAlice, { userId: bob });
        assert.equal(await store.update(asBob, 2, now), 'ok');
        assert.deepStrictEqual(await store.listByUser(alice, now), []);
        assert.deepStrictEqual(await store.listByUser(bob, now), [asBob]);
        assert.deepStrictEqual(await store.deleteByUser(alice), []);

        const loggedOut = nextVersion(asBob, { userId: null, authenticatedAt: null });
        assert.equal(await store.update(loggedOut, 3, now), 'ok');
        assert.deepStrictEqual(await store.listByUser(bob, now), []);
        assert.deepStrictEqual(await store.deleteByUser(bob), []);
        assert.deepStrictEqual(await store.get(anonymous.id, now), loggedOut);
      }),
    );

    it(
      'deleteByUser deletes every session of the user and returns their ids',
      withStore(harness, async (store) => {
        const now = Date.now();
        const alice = randomUserId();
        const bob = randomUserId();
        const mine = [0, 1, 2].map((i) => buildRecord({ now: now + i, userId: alice }));
        const bobs = buildRecord({ now, userId: bob });
        const anonymous = buildRecord({ now, userId: null });
        for (const record of [...mine, bobs, anonymous]) await store.create(record);

        assert.deepStrictEqual(sorted(await store.deleteByUser(alice)), sorted(mine.map((r) => r.id)));
        for (const record of mine) assert.equal(await store.get(record.id, now), null);
        assert.deepStrictEqual(await store.listByUser(alice, now), []);
        assert.deepStrictEqual(await store.get(bobs.id, now), bobs);
        assert.deepStrictEqual(await store.get(anonymous.id, now), anonymous);
        assert.deepStrictEqual(await store.deleteByUser(alice), [], 'a second call finds nothing');
      }),
    );

    it(
      'deleteByUser with exceptId keeps the current session (revoke other devices)',
      withStore(harness, async (store) => {
        const now = Date.now();
        const alice = randomUserId();
        const bob = randomUserId();
        const [current, ...others] = [0, 1, 2, 3].map((i) => buildRecord({ now: now + i, userId: alice }));
        assert.ok(current);
        const bobs = buildRecord({ now, userId: bob });
        for (const record of [current, ...others, bobs]) await store.create(record);

        const deleted = await store.deleteByUser(alice, current.id);
        assert.deepStrictEqual(sorted(deleted), sorted(others.map((r) => r.id)));
        assert.deepStrictEqual(await store.listByUser(alice, now + 10), [current]);
        // exceptId naming another user's session, or nothing at all, protects nothing extra.
        assert.deepStrictEqual(await store.deleteByUser(bob, current.id), [bobs.id]);
        assert.deepStrictEqual(await store.get(current.id, now + 10), current);
        assert.deepStrictEqual(await store.deleteByUser(alice, randomId()), [current.id]);
      }),
    );

    it(
      'deleteByUser of an unknown user returns an empty list',
      withStore(harness, async (store) => {
        assert.deepStrictEqual(await store.deleteByUser(randomUserId()), []);
        assert.deepStrictEqual(await store.deleteByUser(randomUserId(), randomId()), []);
      }),
    );
  });
}
