// The store's Lua scripts run by SHA1 (EVALSHA). A server that does not know them (restarted,
// SCRIPT FLUSH, a fresh node after a failover) answers NOSCRIPT, and the store falls back to
// EVAL, which caches them again. Private server: flushing the shared one's cache would touch
// every other user of it. Runs on every client kind (node-redis, ioredis, iovalkey).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE, buildRecord, nextVersion } from '@coatcheck/conformance';
import { redisStore } from '@coatcheck/redis';
import { useRedisServer } from './fixtures/redis-server.js';
import { uniquePrefix } from './fixtures/clients.js';
import { CLIENT_KIND, connectAny } from './fixtures/client-kind.js';

const server = await useRedisServer();
const client = await connectAny(server.url);

describe(`script cache (${CLIENT_KIND})`, () => {
  it('after SCRIPT FLUSH, touch and update still work: NOSCRIPT falls back to EVAL, which caches the script again', async () => {
    const store = redisStore({ client, prefix: uniquePrefix('scripts'), checkConfig: false });
    const now = Date.now();
    const record = buildRecord({ now });
    assert.equal(await store.create(record), true);
    assert.equal(await server.cli('SCRIPT', 'FLUSH'), 'OK');
    assert.equal(await store.touch(record.id, now + MINUTE, now + 31 * MINUTE, now + MINUTE), true);
    const cached = await server.cli('INFO', 'memory');
    assert.match(cached, /number_of_cached_scripts:[1-9]/, 'EVAL cached the script again');
    assert.equal(await server.cli('SCRIPT', 'FLUSH'), 'OK');
    const next = nextVersion(record, { data: { after: 'flush' } });
    assert.equal(await store.update(next, record.version, now + MINUTE), 'ok');
    assert.deepStrictEqual((await store.get(record.id, now + MINUTE))?.data, { after: 'flush' });
  });
});
