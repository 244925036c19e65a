// A streaming handler that neither awaits login() nor calls commitSession: the one case the
// commit cannot rescue. Both loggers must say so; nothing claims a cookie it did not send.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import type { Logger } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { buildHarness, cookiePair, HTTPS, slowStore, type AppFactory } from '@coatcheck/adapter-suite';
import type { AdapterLogger } from '../src/index.js';
import { expressApp, type ExpressModule } from './app.js';

describe('express: un-awaited login in a streaming handler', () => {
  it('is reported by the manager (ERR_SESSION_NOT_AWAITED) and by the adapter, without "0 changes"', async () => {
    const adapterErrors: string[] = [];
    const adapterLogger: AdapterLogger = { error: (message) => void adapterErrors.push(message) };
    const managerCodes: unknown[] = [];
    const logger: Logger = { warn() {}, error: (_message, context) => void managerCodes.push(context?.code) };
    const factory: AppFactory = expressApp(
      express as unknown as ExpressModule,
      (app) => {
        app.post('/login-stream', (req, res) => {
          req.session.login('alice');
          res.write('streamed');
          res.end();
        });
      },
      adapterLogger,
    );
    const { app } = await buildHarness(factory, { logger }, slowStore(memoryStore({ sweepIntervalMs: 0, quiet: true })));
    const cookie = cookiePair(await app.request({ method: 'POST', path: '/cart', headers: HTTPS, json: { item: 'apple' } }));
    const res = await app.request({ method: 'POST', path: '/login-stream', headers: { ...HTTPS, cookie } });
    assert.equal(res.body, 'streamed');
    assert.deepEqual(res.cookies, []);
    assert.deepEqual(managerCodes, ['ERR_SESSION_NOT_AWAITED']);
    assert.equal(adapterErrors.length, 1);
    assert.match(adapterErrors[0] as string, /a session call still running \(not awaited\) could not reach this response/);
    assert.match(adapterErrors[0] as string, /await commitSession\(req, res\)/);
  });
});
