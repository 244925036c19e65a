// SF-12: a full Redis (maxmemory reached, noeviction) refuses new sessions with 503 while every
// existing session keeps working. SF-13: a policy that may evict sessions is reported loudly at
// start-up, and so is a server whose policy cannot be read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { CONFIG_UNCHECKED_WARNING, EVICTION_POLICY_WARNING, checkRedisConfig, redisStore } from '@coatcheck/redis';
import { useRedisServer } from './fixtures/redis-server.js';
import { collectWarnings, eventually, uniquePrefix } from './fixtures/clients.js';
import { connectAny } from './fixtures/client-kind.js';
import { HTTPS, buildApp, errorCode, login, me } from './fixtures/http-app.js';

const server = await useRedisServer();
const prefix = uniquePrefix('memory');
const evictionWarnings = collectWarnings(EVICTION_POLICY_WARNING);
const uncheckedWarnings = collectWarnings(CONFIG_UNCHECKED_WARNING);

describe('memory limits', () => {
  it('SF-12 with maxmemory reached and noeviction, new sessions and writes get 503 while existing sessions are still read', async () => {
    const client = await connectAny(server.url);
    const { app } = await buildApp(redisStore({ client, prefix, checkConfig: false }));
    const cookie = await login(app);
    const keysBefore = await server.cli('DBSIZE');
    await server.cli('CONFIG', 'SET', 'maxmemory', '1');
    try {
      const created = await app.inject({ method: 'POST', url: '/cart', headers: HTTPS, payload: { item: 'new' } });
      assert.equal(created.statusCode, 503);
      assert.equal(errorCode(created), 'ERR_SESSION_STORE_UNAVAILABLE');
      const changed = await app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie } });
      assert.equal(changed.statusCode, 503);
      assert.equal(changed.headers['set-cookie'], undefined);
      const read = await me(app, cookie);
      assert.equal(read.statusCode, 200);
      assert.deepStrictEqual(JSON.parse(read.body), { userId: 'alice', status: 'valid', cart: [] });
      assert.equal(await server.cli('DBSIZE'), keysBefore, 'no session was dropped');
    } finally {
      await server.cli('CONFIG', 'SET', 'maxmemory', '0');
    }
    assert.equal((await app.inject({ method: 'POST', url: '/cart', headers: { ...HTTPS, cookie } })).statusCode, 200);
  });

  it('SF-13 maxmemory-policy allkeys-lru makes the store warn loudly at start-up (COATCHECK_W007)', async () => {
    const lru = await useRedisServer(['--maxmemory-policy', 'allkeys-lru']);
    const client = await connectAny(lru.url);
    const seen = evictionWarnings.length;
    redisStore({ client, prefix });
    await eventually('the eviction warning', () => evictionWarnings.length > seen, 10_000);
    assert.match(evictionWarnings.at(-1)?.message ?? '', /allkeys-lru.*noeviction/);
  });

  it('SF-13 volatile-* policies are reported too (every session key has a TTL), noeviction is not', async () => {
    const client = await connectAny(server.url);
    await server.cli('CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru');
    try {
      assert.deepStrictEqual(await checkRedisConfig(client, { warn: false }), [{ node: 'server', policy: 'volatile-lru', error: null }]);
      const seen = evictionWarnings.length;
      await checkRedisConfig(client);
      await tick();
      assert.equal(evictionWarnings.length, seen + 1);
    } finally {
      await server.cli('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    }
    const seen = evictionWarnings.length;
    assert.deepStrictEqual(await checkRedisConfig(client), [{ node: 'server', policy: 'noeviction', error: null }]);
    await tick();
    assert.equal(evictionWarnings.length, seen, 'noeviction is not reported');
  });

  it('SF-13 when CONFIG is not permitted, the store warns that the policy could not be checked (COATCHECK_W008)', async () => {
    await server.cli('ACL', 'SETUSER', 'limited', 'on', '>limited-password', '~*', '&*', '+@all', '-config');
    const url = new URL(server.url);
    url.username = 'limited';
    url.password = 'limited-password';
    const client = await connectAny(url.href);
    const [finding] = await checkRedisConfig(client, { warn: false });
    assert.equal(finding?.policy, null);
    assert.match(finding?.error ?? '', /NOPERM/);
    const seen = uncheckedWarnings.length;
    redisStore({ client, prefix });
    await eventually('the unchecked warning', () => uncheckedWarnings.length > seen, 10_000);
    assert.match(uncheckedWarnings.at(-1)?.message ?? '', /could not read maxmemory-policy/);
  });
});
