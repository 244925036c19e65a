// SF-10 in the shop: REDIS_WAIT_REPLICAS turns on the Redis store's waitForReplicas, so a
// logout is answered only once replicas hold it. Against the test Redis, which has no
// replica, a confirmed write cannot be confirmed: the logout is answered 503 instead of being
// reported done, which shows the setting reaches the store. Unset, the same logout succeeds.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSqliteDatabase } from '@coatcheck/sqlite';
import { SessionConfigError } from 'coatcheck';
import { buildApp } from '../src/app.js';
import { openBackends, type BackendConfig } from '../src/backends.js';
import { ConfigError, readConfig } from '../src/config.js';
import { loggedIn, useTempDir } from './helpers.js';
import { TEST_HASHING } from './test-hashing.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const path = useTempDir();

async function shopOn(config: BackendConfig) {
  const db = openSqliteDatabase({ filename: path(`users-${randomBytes(4).toString('hex')}.sqlite`) });
  const backends = await openBackends(config, db);
  const app = buildApp({ store: backends.store, bus: backends.bus, db, secrets: [randomBytes(32).toString('base64url')], passwordHashing: TEST_HASHING });
  after(async () => {
    await app.close();
    await backends.close();
    db.close();
  });
  await app.ready();
  return app;
}

describe('REDIS_WAIT_REPLICAS', () => {
  it('SF-10 is read with its timeout, needs REDIS_URL, and is off when unset or 0', () => {
    const redis = { REDIS_URL };
    assert.equal(readConfig(redis).redisWaitForReplicas, null);
    assert.equal(readConfig({ ...redis, REDIS_WAIT_REPLICAS: '0' }).redisWaitForReplicas, null);
    assert.deepEqual(readConfig({ ...redis, REDIS_WAIT_REPLICAS: '2' }).redisWaitForReplicas, { replicas: 2, timeoutMs: 100 });
    assert.deepEqual(readConfig({ ...redis, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '250' }).redisWaitForReplicas, { replicas: 1, timeoutMs: 250 });
    for (const bad of [
      { REDIS_WAIT_REPLICAS: '1' },
      { ...redis, REDIS_WAIT_REPLICAS: 'one' },
      { ...redis, REDIS_WAIT_REPLICAS: '-1' },
      { ...redis, REDIS_WAIT_TIMEOUT_MS: '100' },
      { ...redis, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '1.5' },
    ]) {
      assert.throws(() => readConfig(bad), ConfigError, JSON.stringify(bad));
    }
  });

  it('SF-10 set, a logout that no replica confirmed is answered 503, not reported done; unset, it succeeds', async () => {
    const waiting = await shopOn({ redisUrl: REDIS_URL, databaseUrl: null, redisWaitForReplicas: { replicas: 1, timeoutMs: 50 } });
    const alice = await loggedIn(waiting, `alice-${randomBytes(4).toString('hex')}`);
    const logout = await alice.post('/logout');
    assert.equal(logout.statusCode, 503, logout.body);
    assert.equal(logout.json().error.code, 'ERR_SESSION_STORE_UNAVAILABLE');

    const plain = await shopOn({ redisUrl: REDIS_URL, databaseUrl: null });
    const bob = await loggedIn(plain, `bob-${randomBytes(4).toString('hex')}`);
    assert.equal((await bob.post('/logout')).statusCode, 200);
  });

  it('SF-10 a timeout the store cannot honour (at or above its 1 s deadline) stops the start', async () => {
    const db = openSqliteDatabase({ filename: ':memory:' });
    await assert.rejects(
      openBackends({ redisUrl: REDIS_URL, databaseUrl: null, redisWaitForReplicas: { replicas: 1, timeoutMs: 1000 } }, db),
      SessionConfigError,
    );
    db.close();
  });
});
