// AP-06: the shop answers only the Host names it is meant to (ALLOWED_HOSTS; on loopback by
// default localhost, 127.0.0.1 and [::1] on its port), so a DNS-rebinding page cannot talk to
// a local instance; other Hosts get 421 ERR_HOST_NOT_ALLOWED before any session is read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, readConfig } from '../src/config.js';
import { createHostCheck, readAllowedHosts } from '../src/hardening/host-allow-list.js';
import { createShop, loggedIn } from './helpers.js';

const LOCAL = readAllowedHosts(undefined, '127.0.0.1', 3000);

describe('Host allow-list', () => {
  it('AP-06 defaults: loopback names on the port when bound to loopback, no check elsewhere; ALLOWED_HOSTS overrides', () => {
    assert.deepEqual(LOCAL, ['localhost:3000', '127.0.0.1:3000', '[::1]:3000']);
    assert.deepEqual(readAllowedHosts('', 'localhost', 8080), ['localhost:8080', '127.0.0.1:8080', '[::1]:8080']);
    assert.deepEqual(readAllowedHosts(undefined, '::1', 0), ['localhost', '127.0.0.1', '[::1]'], 'port 0: any port');
    assert.equal(readAllowedHosts(undefined, '0.0.0.0', 3000), null);
    assert.equal(readAllowedHosts('*', '127.0.0.1', 3000), null);
    assert.deepEqual(readAllowedHosts(' shop.example , shop.example:8443 ', '0.0.0.0', 3000), ['shop.example', 'shop.example:8443']);
    assert.deepEqual(readConfig({ ALLOWED_HOSTS: 'shop.example' }).allowedHosts, ['shop.example']);
    assert.deepEqual(readConfig({ PORT: '4000' }).allowedHosts, ['localhost:4000', '127.0.0.1:4000', '[::1]:4000']);
    for (const bad of ['https://shop.example', 'shop.example/', 'a b', 'shop.example:port', '::1']) {
      assert.throws(() => readConfig({ ALLOWED_HOSTS: bad }), ConfigError, bad);
    }
  });

  it('AP-06 the check: exact names, case-insensitive, port when listed; missing or malformed Hosts fail', () => {
    const check = createHostCheck(['localhost:3000', '[::1]:3000', 'shop.example']);
    for (const ok of ['localhost:3000', 'LOCALHOST:3000', '[::1]:3000', 'shop.example', 'shop.example:8443']) assert.equal(check(ok), true, ok);
    for (const no of [
      undefined,
      '',
      'localhost',
      'localhost:3001',
      'evil.example:3000',
      'localhost.evil.example:3000',
      'shop.example.evil',
      '127.0.0.1:3000',
      'localhost:3000@evil',
      '[::1]',
    ]) {
      assert.equal(check(no), false, String(no));
    }
  });

  it('AP-06 a rebinding page (another Host) gets 421 ERR_HOST_NOT_ALLOWED, without reading or creating a session', async () => {
    // inject() sends `Host: localhost:80`: the default for a shop on 127.0.0.1:80.
    const { app, store } = await createShop({ app: { allowedHosts: readAllowedHosts(undefined, '127.0.0.1', 80) } });
    const cookie = (await loggedIn(app, 'alice')).cookie as string;
    assert.ok(cookie);
    let reads = 0;
    const get = store.get.bind(store);
    store.get = (...args) => (reads++, get(...args));

    for (const [method, url] of [
      ['GET', '/profile'],
      ['POST', '/cart/add'],
      ['GET', '/items'],
      ['GET', '/no-such-route'],
    ] as const) {
      const res = await app.inject({ method, url, headers: { host: 'evil.example:80', cookie }, ...(method === 'POST' ? { payload: { item_id: 1 } } : {}) });
      assert.equal(res.statusCode, 421, `${method} ${url}`);
      assert.equal(res.json().error.code, 'ERR_HOST_NOT_ALLOWED');
      assert.equal(res.headers['set-cookie'], undefined);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', 'the refusal is hardened too');
    }
    assert.equal(reads, 0, 'no session was read for another Host');

    for (const host of ['localhost:80', '127.0.0.1:80', '[::1]:80']) {
      const res = await app.inject({ url: '/profile', headers: { host, cookie } });
      assert.equal(res.statusCode, 200, host);
    }
    assert.ok(reads > 0);
    assert.equal((await app.inject({ url: '/items', headers: { host: 'localhost:3000' } })).statusCode, 421, 'another port');
  });
});
