// Over @hono/node-server the client address reaches the device list.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { SECRET, sendHttp, HTTPS } from '@coatcheck/adapter-suite';
import { honoApp } from './app.js';

describe('hono on node', () => {
  it('LC-18 a login over @hono/node-server records the client address and user agent', async () => {
    const manager = createSessionManager({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets: [SECRET], production: false });
    const app = honoApp(manager);
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const res = await sendHttp(port, { method: 'POST', path: '/login', headers: { ...HTTPS, 'user-agent': 'curl/8.5.0' } });
    assert.equal(res.status, 200);
    const [device] = await manager.listSessions('alice');
    assert.equal(device?.ip, '127.0.0.1');
    assert.equal(device?.label, 'curl');
  });
});
