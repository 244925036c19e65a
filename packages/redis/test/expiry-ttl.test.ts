// SF-14: the Redis TTL of a session never outlives min(last activity + idle, absolute limit):
// create, update and touch all set PXAT to the record's expiresAt, touch never passes the
// absolute limit or shortens, and the user index expires with its longest-lived session.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HOUR, MINUTE, buildRecord, nextVersion, randomUserId } from '@coatcheck/conformance';
import { redisStore } from '@coatcheck/redis';
import { REDIS_URL, connectClient, uniquePrefix } from './fixtures/clients.js';
import { connectAny } from './fixtures/client-kind.js';

const prefix = uniquePrefix('ttl');
const client = await connectClient(undefined, { cleanupPrefix: prefix });
// The store runs on the client kind under test; the test's own commands on node-redis.
const storeClient = await connectAny(REDIS_URL);
const store = redisStore({ client: storeClient, prefix, checkConfig: false });
const expiresAt = (key: string) => client.pExpireTime(key);

describe('SF-14 Redis TTLs', () => {
  it('SF-14 create, update and touch keep the key’s expiry equal to expiresAt, never past absoluteExpiresAt', async () => {
    const now = Date.now();
    const record = buildRecord({ now, userId: randomUserId(), idleMs: 5 * MINUTE, absoluteMs: 20 * MINUTE });
    const key = store.keys.session(record.id);
    await store.create(record);
    assert.equal(await expiresAt(key), record.expiresAt);

    const v2 = nextVersion(record, { expiresAt: now + 10 * MINUTE, lastSeenAt: now + MINUTE });
    assert.equal(await store.update(v2, 1, now + MINUTE), 'ok');
    assert.equal(await expiresAt(key), v2.expiresAt);

    // A touch asking for an hour gets the absolute limit, and asking again changes nothing.
    for (let i = 0; i < 3; i++) {
      assert.equal(await store.touch(record.id, now + 2 * MINUTE + i, now + HOUR, now + 2 * MINUTE), true);
      assert.equal(await expiresAt(key), record.absoluteExpiresAt);
      const asked = Date.now();
      assert.ok((await client.pTTL(key)) <= record.absoluteExpiresAt - asked);
    }
    assert.equal((await store.get(record.id, now))?.expiresAt, record.absoluteExpiresAt);
  });

  it('SF-14 a touch with an earlier expiry never shortens the key’s TTL', async () => {
    const now = Date.now();
    const record = buildRecord({ now, idleMs: 30 * MINUTE });
    const key = store.keys.session(record.id);
    await store.create(record);
    assert.equal(await store.touch(record.id, now + MINUTE, now + 5 * MINUTE, now + MINUTE), true);
    assert.equal(await expiresAt(key), record.expiresAt);
  });

  it('the user index expires with the longest absolute lifetime among its sessions', async () => {
    const now = Date.now();
    const userId = randomUserId();
    const short = buildRecord({ now, userId, absoluteMs: HOUR });
    const long = buildRecord({ now, userId, absoluteMs: 3 * HOUR });
    await store.create(long);
    await store.create(short);
    assert.equal(await expiresAt(store.keys.user(userId)), long.absoluteExpiresAt);
  });
});
