// SF-23: a corrupt or foreign value under the prefix (not JSON, truncated, the wrong shape, a
// hash or list where a string belongs) is treated as no session, deleted, and reported without
// its contents, on every path that reads it; it never throws and never reaches the manager.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecord, randomUserId } from '@coatcheck/conformance';
import { CORRUPT_VALUE_WARNING, redisStore, type RedisStore } from '@coatcheck/redis';
import { REDIS_URL, collectWarnings, connectClient, eventually, uniquePrefix } from './fixtures/clients.js';
import { connectAny } from './fixtures/client-kind.js';
import { HTTPS, buildApp, login, me } from './fixtures/http-app.js';

const SECRET_DATA = 'card-4111-1111-1111-1111';
const prefix = uniquePrefix('corrupt');
const client = await connectClient(undefined, { cleanupPrefix: prefix });
// The store runs on the client kind under test; the test's own commands on node-redis.
const storeClient = await connectAny(REDIS_URL);
const warnings = collectWarnings(CORRUPT_VALUE_WARNING);

type Plant = (key: string) => Promise<unknown>;
const valid = JSON.parse(JSON.stringify([1, 1, 1, 2e12, 3e12, 1, null, 0, null, 'hash', null, null, { secret: SECRET_DATA }])) as unknown[];
const cases: [string, Plant][] = [
  ['invalid JSON', (key) => client.set(key, `{${SECRET_DATA}`)],
  ['truncated JSON', (key) => client.set(key, JSON.stringify(valid).slice(0, -7))],
  ['valid JSON of the wrong shape (an object)', (key) => client.set(key, JSON.stringify({ secret: SECRET_DATA, version: 1 }))],
  ['an unknown format version', (key) => client.set(key, JSON.stringify([2, ...valid.slice(1)]))],
  ['a wrong element type (version as text)', (key) => client.set(key, JSON.stringify([1, '1', ...valid.slice(2)]))],
  ['data that is not an object', (key) => client.set(key, JSON.stringify([...valid.slice(0, 12), [SECRET_DATA]]))],
  ['a hash at the key (WRONGTYPE)', (key) => client.hSet(key, 'secret', SECRET_DATA)],
  ['a list at the key (WRONGTYPE)', (key) => client.rPush(key, SECRET_DATA)],
];

function storeWithReports(): { store: RedisStore; reports: [string, Error][] } {
  const reports: [string, Error][] = [];
  const store = redisStore({ client: storeClient, prefix, checkConfig: false, onCorrupt: (key, error) => reports.push([key, error]) });
  return { store, reports };
}

function assertReported(reports: [string, Error][], key: string): void {
  assert.equal(reports.length, 1, `reports: ${reports.map(([k, e]) => `${k}: ${e.message}`).join('; ')}`);
  assert.equal(reports[0]?.[0], key);
  assert.ok(!reports[0]?.[1].message.includes(SECRET_DATA), 'the report never contains the value');
}

describe('SF-23 corrupt values', () => {
  for (const [label, plant] of cases) {
    it(`SF-23 ${label}: get returns null, the key is deleted and reported once`, async () => {
      const { store, reports } = storeWithReports();
      const id = buildRecord().id;
      const key = store.keys.session(id);
      await plant(key);
      assert.equal(await store.get(id, Date.now()), null);
      assert.equal(await client.exists(key), 0, 'the corrupt key is deleted');
      assertReported(reports, key);
      assert.equal(await store.get(id, Date.now()), null);
      assert.equal(reports.length, 1, 'deleted, so the next read is a plain miss');
    });
  }

  for (const [label, plant] of [cases[0], cases[6]] as [string, Plant][]) {
    it(`SF-23 ${label}: touch returns false, update returns missing, delete reports; each deletes the key`, async () => {
      const { store, reports } = storeWithReports();
      const now = Date.now();
      const record = buildRecord({ now });
      const key = store.keys.session(record.id);
      await plant(key);
      assert.equal(await store.touch(record.id, now, now + 60_000, now), false);
      assert.equal(await client.exists(key), 0);
      await plant(key);
      assert.equal(await store.update({ ...record, version: 2 }, 1, now), 'missing');
      assert.equal(await client.exists(key), 0);
      await plant(key);
      await store.delete(record.id);
      assert.equal(await client.exists(key), 0);
      assert.equal(reports.length, 3);
      assert.ok(reports.every(([reported, error]) => reported === key && !error.message.includes(SECRET_DATA)));
      assert.equal(await store.create(record), true, 'the id is usable again');
    });
  }

  it('SF-23 listByUser and deleteByUser skip, delete and report a corrupt record, keeping the valid ones', async () => {
    const { store, reports } = storeWithReports();
    const now = Date.now();
    const userId = randomUserId();
    const good = buildRecord({ now, userId });
    const bad = buildRecord({ now: now + 1, userId });
    await store.create(good);
    await store.create(bad);
    await client.set(store.keys.session(bad.id), `[1,${SECRET_DATA}`);
    assert.deepStrictEqual(await store.listByUser(userId, now), [good]);
    assert.deepStrictEqual(
      reports.map(([key]) => key),
      [store.keys.session(bad.id)],
    );
    const worse = buildRecord({ now: now + 2, userId });
    await store.create(worse);
    await client.del(store.keys.session(worse.id));
    await client.hSet(store.keys.session(worse.id), 'x', SECRET_DATA);
    assert.deepStrictEqual(await store.deleteByUser(userId), [good.id]);
    assert.equal(await client.exists(store.keys.session(worse.id)), 0);
    assert.equal(reports.length, 2);
  });

  it('SF-23 a user index of the wrong type is deleted and reported, and rebuilt by the next login', async () => {
    const { store, reports } = storeWithReports();
    const now = Date.now();
    const userId = randomUserId();
    await client.set(store.keys.user(userId), SECRET_DATA);
    assert.deepStrictEqual(await store.listByUser(userId, now), []);
    assert.equal(await client.exists(store.keys.user(userId)), 0);
    await client.set(store.keys.user(userId), SECRET_DATA);
    const record = buildRecord({ now, userId });
    assert.equal(await store.create(record), true);
    assert.deepStrictEqual(await store.listByUser(userId, now), [record]);
    assert.deepStrictEqual(
      reports.map(([key]) => key),
      [store.keys.user(userId), store.keys.user(userId)],
    );
  });

  it('SF-23 by default the report is a process warning (COATCHECK_W006) naming the key, not the value', async () => {
    const store = redisStore({ client: storeClient, prefix, checkConfig: false });
    const id = buildRecord().id;
    await client.set(store.keys.session(id), `{"secret":"${SECRET_DATA}"`);
    const seen = warnings.length;
    assert.equal(await store.get(id, Date.now()), null);
    await eventually('the warning', () => warnings.length > seen);
    assert.ok(warnings.at(-1)?.message.includes(store.keys.session(id)));
    assert.ok(!warnings.at(-1)?.message.includes(SECRET_DATA));
  });

  it('SF-23 a throwing onCorrupt surfaces as its own error, after the key was deleted', async () => {
    const store = redisStore({
      client: storeClient,
      prefix,
      checkConfig: false,
      onCorrupt: () => {
        throw new RangeError('hook failed');
      },
    });
    const id = buildRecord().id;
    await client.set(store.keys.session(id), 'garbage');
    await assert.rejects(store.get(id, Date.now()), RangeError);
    assert.equal(await client.exists(store.keys.session(id)), 0);
  });

  it('SF-23 through HTTP: a session whose value was corrupted reads as no session (200, anonymous), never 500', async () => {
    const store = redisStore({ client: storeClient, prefix, checkConfig: false, onCorrupt: () => {} });
    const { app } = await buildApp(store);
    const userId = randomUserId();
    const cookie = await login(app, userId);
    const [session] = await store.listByUser(userId, Date.now());
    assert.ok(session);
    await client.set(store.keys.session(session.id), 'not json');
    const response = await me(app, cookie);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal((JSON.parse(response.body) as { userId: unknown }).userId, null);
    assert.equal((await app.inject({ method: 'GET', url: '/public', headers: HTTPS })).statusCode, 200);
  });
});
