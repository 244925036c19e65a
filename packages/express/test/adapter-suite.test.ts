// The shared adapter suite on Express 5 and Express 4, over real HTTP.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import express from 'express';
import express4 from 'express4';
import { describeAdapterSuite } from '@coatcheck/adapter-suite';
import { expressApp, type ExpressModule } from './app.js';

describeAdapterSuite('express 5', expressApp(express as unknown as ExpressModule));
describeAdapterSuite('express 4', expressApp(express4 as unknown as ExpressModule));

describe('the Express 4 run', () => {
  it('really runs Express 4', () => {
    const require = createRequire(import.meta.url);
    assert.match((require('express4/package.json') as { version: string }).version, /^4\./);
    assert.match((require('express/package.json') as { version: string }).version, /^5\./);
  });
});
