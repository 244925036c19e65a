// LC-17 / LC-20: "log out everywhere" must never miss a live session, although a session key
// and its user's index live in different Cluster slots. Writers index before they write, so a
// reader may only drop an index entry whose record is missing once the entry is old enough
// (5 minutes): a fresh entry may belong to a login that is writing its record right now.
// These tests plant index entries with raw commands to pin that rule down.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE, buildRecord, nextVersion, randomId, randomUserId } from '@coatcheck/conformance';
import { redisStore } from '@coatcheck/redis';
import { REDIS_URL, connectClient, uniquePrefix } from './fixtures/clients.js';
import { connectAny } from './fixtures/client-kind.js';

const prefix = uniquePrefix('index');
const client = await connectClient(undefined, { cleanupPrefix: prefix });
// The store runs on the client kind under test; the test's own commands on node-redis.
const storeClient = await connectAny(REDIS_URL);
const store = redisStore({ client: storeClient, prefix, checkConfig: false });
const members = (userId: string) => client.zRange(store.keys.user(userId), 0, -1);

describe('per-user index across slots', () => {
  it('LC-17 an entry whose record is missing survives readers while fresh (a login in progress) and is dropped once old', async () => {
    const now = Date.now();
    const userId = randomUserId();
    const live = buildRecord({ now, userId });
    await store.create(live);
    const inProgress = randomId();
    const abandoned = randomId();
    await client.zAdd(store.keys.user(userId), [
      { score: Date.now(), value: inProgress },
      { score: Date.now() - 6 * MINUTE, value: abandoned },
    ]);
    assert.deepStrictEqual(await store.listByUser(userId, now), [live]);
    assert.deepStrictEqual((await members(userId)).sort(), [inProgress, live.id].sort());

    // The login's SET lands now (a raw copy of a valid record of this user, so nothing touches
    // the index again): the next "log out everywhere" must catch it through the kept entry.
    const value = await client.get(store.keys.session(live.id));
    assert.equal(await client.set(store.keys.session(inProgress), value ?? ''), 'OK');
    assert.deepStrictEqual((await store.deleteByUser(userId)).sort(), [inProgress, live.id].sort());
    assert.deepStrictEqual(await members(userId), []);
  });

  it('LC-20 an entry of a session that moved to another user is ignored, kept while fresh, and never deletes the other user’s session', async () => {
    const now = Date.now();
    const [alice, bob] = [randomUserId(), randomUserId()];
    const record = buildRecord({ now, userId: alice });
    await store.create(record);
    assert.equal(await store.update(nextVersion(record, { userId: bob }), 1, now), 'ok');
    assert.deepStrictEqual(await members(alice), [record.id], 'the old entry stays (it is fresh)');
    assert.deepStrictEqual(await store.listByUser(alice, now), []);
    assert.deepStrictEqual(await store.deleteByUser(alice), []);
    assert.equal((await store.get(record.id, now))?.userId, bob);
    // Once old, a reader drops it.
    await client.zAdd(store.keys.user(alice), { score: Date.now() - 6 * MINUTE, value: record.id });
    assert.deepStrictEqual(await store.listByUser(alice, now), []);
    assert.deepStrictEqual(await members(alice), []);
    assert.deepStrictEqual(await members(bob), [record.id]);
  });

  it('LC-17 delete and deleteByUser remove the entries of the records they deleted at once', async () => {
    const now = Date.now();
    const userId = randomUserId();
    const [a, b, c] = [0, 1, 2].map((i) => buildRecord({ now: now + i, userId }));
    for (const record of [a, b, c]) await store.create(record!);
    assert.equal(await store.delete(a!.id), true);
    assert.deepStrictEqual((await members(userId)).sort(), [b!.id, c!.id].sort());
    assert.deepStrictEqual(await store.deleteByUser(userId, c!.id), [b!.id]);
    assert.deepStrictEqual(await members(userId), [c!.id]);
  });
});
