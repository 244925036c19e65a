// getSession(req, manager): req.session with the manager's own data type.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createSessionManager } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { sendHttp } from '@coatcheck/adapter-suite';
import { getSession, session } from '../src/index.js';

interface ShopData {
  basket: number[];
}

const SECRET = 'get-session-secret-5e2a8c4f1b9d7e3a6c0f';

describe('getSession', () => {
  it('returns the request session, typed by the manager; a TypeError when the middleware did not run', async () => {
    const manager = createSessionManager<ShopData>({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets: [SECRET], production: false });
    const app = express();
    app.get('/bare', (req, res) => {
      try {
        getSession(req, manager);
        res.json({ threw: false });
      } catch (error) {
        res.json({ threw: error instanceof TypeError, message: (error as Error).message });
      }
    });
    app.use(session({ manager }));
    app.get('/basket', (req, res) => {
      const typed = getSession(req, manager);
      typed.update('basket', (basket = []) => [...basket, 42]);
      res.json({ same: typed === req.session, basket: typed.get('basket') });
    });
    const server = app.listen(0, '127.0.0.1');
    after(() => server.close());
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    assert.deepEqual((await sendHttp(port, { path: '/basket' })).json(), { same: true, basket: [42] });
    const bare = (await sendHttp(port, { path: '/bare' })).json();
    assert.equal(bare.threw, true);
    assert.match(bare.message, /^getSession: the @coatcheck\/express session\(\) middleware did not run for this request/);
  });
});
