// One error model for option mistakes: whatever package takes the option, a value that cannot
// work throws SessionConfigError (ERR_SESSION_INVALID_OPTION) with a message naming it, never
// a TypeError an application would have to catch separately.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { session as expressSession } from '@coatcheck/express';
import { session as honoSession } from '@coatcheck/hono';
import { coatcheck as coatcheckFastify } from '@coatcheck/fastify';
import { describeStoreConformance } from '@coatcheck/conformance';
import { backoffWithJitter } from '@coatcheck/redis';
import { SessionConfigError } from '../src/errors.js';
import { createRecordCache } from '../src/cache/record-cache.js';
import { memoryStore } from '../src/store/memory-store.js';

const configError = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof SessionConfigError, `a SessionConfigError, got ${String(error)}`);
  assert.equal(error.code, 'ERR_SESSION_INVALID_OPTION');
  assert.match(error.message, pattern);
  return true;
};

describe('option mistakes are SessionConfigError', () => {
  it('cache.maxEntries and cache.ttlMs', () => {
    assert.throws(() => createRecordCache({ maxEntries: 0 }), configError(/cache\.maxEntries/));
    assert.throws(() => createRecordCache({ ttlMs: 1.5 }), configError(/cache\.ttlMs/));
  });

  it('memoryStore maxEntries', () => {
    assert.throws(() => memoryStore({ maxEntries: -1, sweepIntervalMs: 0 }), configError(/memoryStore: maxEntries/));
  });

  it('the adapters without a manager, and Fastify with a bearer that is not a token service', async () => {
    assert.throws(() => expressSession({} as never), configError(/options\.manager must be a session manager/));
    assert.throws(() => honoSession({} as never), configError(/options\.manager must be a session manager/));
    const app = Fastify();
    await assert.rejects(coatcheckFastify(app, {} as never), configError(/options\.manager must be a session manager/));
    const manager = { load: () => {} } as never;
    await assert.rejects(coatcheckFastify(app, { manager, bearer: {} as never }), configError(/options\.bearer must be a token service/));
    await app.close();
  });

  it('the conformance suite and the Redis backoff', () => {
    assert.throws(() => describeStoreConformance('x', () => memoryStore({ sweepIntervalMs: 0 }), { numRuns: 0 }), configError(/numRuns/));
    assert.throws(() => describeStoreConformance('x', () => memoryStore({ sweepIntervalMs: 0 }), { concurrency: 1 }), configError(/concurrency/));
    assert.throws(() => backoffWithJitter({ baseDelayMs: 10, maxDelayMs: 5 }), configError(/backoffWithJitter/));
  });
});
