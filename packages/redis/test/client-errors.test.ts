// SF-05: errors on the Redis connection never kill the process. A killed connection
// (ECONNRESET), an auth failure after a password change and READONLY errors from a demoted
// server all become 503 ERR_SESSION_STORE_UNAVAILABLE, are reported, and heal by themselves.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONNECTION_ERROR_WARNING, redisStore } from '@coatcheck/redis';
import { useRedisServer } from './fixtures/redis-server.js';
import { collectWarnings, connectClient, eventually, uniquePrefix } from './fixtures/clients.js';
import { HTTPS, buildApp, errorCode, login, me } from './fixtures/http-app.js';

const server = await useRedisServer();
const prefix = uniquePrefix('errors');
const warnings = collectWarnings(CONNECTION_ERROR_WARNING);

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
after(() => void process.off('unhandledRejection', onUnhandled));

const newVisitor = (app: Awaited<ReturnType<typeof buildApp>>['app']) => app.inject({ method: 'POST', url: '/cart', headers: HTTPS, payload: { item: 'x' } });

describe('Redis client errors', () => {
  it('SF-05 a client without an error listener gets one from the store, so a killed connection (ECONNRESET) is reported, not fatal', async () => {
    const client = await connectClient(server.url, { noErrorListener: true });
    assert.equal(client.listenerCount('error'), 0);
    const store = redisStore({ client, prefix, checkConfig: false });
    assert.equal(client.listenerCount('error'), 1, 'the store attached a listener');
    redisStore({ client, prefix, checkConfig: false });
    assert.equal(client.listenerCount('error'), 1, 'and only one');
    const { app } = await buildApp(store);
    const cookie = await login(app);

    const seen = warnings.length;
    assert.equal(await server.cli('CLIENT', 'KILL', 'ID', String(await client.clientId())), '1');
    await eventually('the connection error is reported as a warning', () => warnings.length > seen);
    assert.match(String(warnings.at(-1)?.message), /coatcheck redis store: Redis connection error/);
    await eventually('the same session is served again', async () => (await me(app, cookie)).statusCode === 200);
    assert.deepStrictEqual(unhandled, []);
  });

  it('SF-05 an auth failure after a password change answers 503 until the password is fixed', async () => {
    const reported: unknown[] = [];
    const client = await connectClient(server.url, { noErrorListener: true });
    client.on('error', (error) => reported.push(error));
    const { app } = await buildApp(redisStore({ client, prefix, checkConfig: false }));
    const cookie = await login(app);
    await server.cli('CONFIG', 'SET', 'requirepass', 'rotated-password');
    try {
      await server.cli('-a', 'rotated-password', '--no-auth-warning', 'CLIENT', 'KILL', 'ID', String(await client.clientId()));
      await eventually('requests fail with 503 while the client cannot authenticate', async () => {
        const response = await me(app, cookie);
        return response.statusCode === 503 && errorCode(response) === 'ERR_SESSION_STORE_UNAVAILABLE';
      });
      const response = await newVisitor(app);
      assert.equal(response.statusCode, 503);
      assert.equal(response.headers['set-cookie'], undefined);
    } finally {
      await server.cli('-a', 'rotated-password', '--no-auth-warning', 'CONFIG', 'SET', 'requirepass', '');
    }
    assert.ok(reported.length > 0, 'the application’s own listener saw the errors');
    await eventually('the session is served again once the password matches', async () => (await me(app, cookie)).statusCode === 200);
    assert.deepStrictEqual(unhandled, []);
  });

  it('SF-05 READONLY errors from a server demoted to replica answer 503 for writes, and writes work again after promotion', async () => {
    const primary = await useRedisServer();
    const client = await connectClient(server.url);
    const { app } = await buildApp(redisStore({ client, prefix, checkConfig: false }));
    assert.equal((await newVisitor(app)).statusCode, 200);
    await server.cli('REPLICAOF', '127.0.0.1', String(primary.port));
    try {
      await eventually('writes are refused with 503', async () => {
        const response = await newVisitor(app);
        return response.statusCode === 503 && errorCode(response) === 'ERR_SESSION_STORE_UNAVAILABLE';
      });
      assert.equal((await app.inject({ method: 'GET', url: '/public', headers: HTTPS })).statusCode, 200);
    } finally {
      await server.cli('REPLICAOF', 'NO', 'ONE');
    }
    await eventually('writes succeed again', async () => (await newVisitor(app)).statusCode === 200);
    assert.deepStrictEqual(unhandled, []);
  });
});
