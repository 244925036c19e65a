/**
 * Conformance: the backend under parallel hits from several instances, against the GCRA
 * model, and the expiry of keys whose time has passed. Registered by
 * `describeRateLimitConformance`.
 *
 * @module
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createRateLimiter, stepGcra, type GcraOutcome } from 'coatcheck/rate-limit';
import type { RateLimitHarness } from './rate-limit.js';
import { freshName, manualClock } from './rate-limit-verdicts.js';

/** Registers the concurrency and model-based tests. */
export function describeRateLimitAtomicity(harness: RateLimitHarness): void {
  const { instances, hits } = harness.options;

  describe('atomicity', () => {
    it(
      `AB-03 ${hits} parallel hits over ${instances} instances let exactly the burst through`,
      harness.with(instances, async (backends) => {
        const clock = manualClock();
        const name = freshName('race');
        const burst = 25;
        const limiters = backends.map((backend) =>
          createRateLimiter({ backend, name, rules: { account: { limit: burst, windowMs: 60_000 } }, now: clock.now, pruneIntervalMs: 0 }),
        );
        const verdicts = await Promise.all(
          Array.from({ length: hits }, (_, i) => (limiters[i % instances] as (typeof limiters)[number]).hit({ account: 'ada' })),
        );
        const allowed = verdicts.filter((v) => v.allowed);
        assert.equal(allowed.length, burst, 'no more (and no fewer) than the burst passed');
        // Each allowed hit saw its own state: a lost update would repeat a count.
        assert.deepEqual(
          allowed.map((v) => v.remaining).sort((a, b) => a - b),
          Array.from({ length: burst }, (_, i) => i),
        );
        for (const refused of verdicts.filter((v) => !v.allowed)) assert.equal(refused.retryAfterMs, 60_000 / burst);
      }),
    );

    it(
      'decides exactly as stepGcra for random sequences on one key',
      harness.with(1, async ([backend]) => {
        // With native expiry a key lives (tat - now) ms of REAL time, so the model only holds
        // while the fake clock does not fall behind the real one: no steps back, and times
        // long enough to outlast the test.
        const native = harness.options.ttlOf !== undefined;
        const step = fc.record({
          advance: native ? fc.integer({ min: 0, max: 50_000 }) : fc.integer({ min: -500, max: 5000 }),
          incrementMs: native ? fc.integer({ min: 10_000, max: 20_000 }) : fc.integer({ min: 1, max: 1000 }),
          factor: fc.integer({ min: 1, max: 6 }),
          reset: fc.boolean(),
        });
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
            const key = `${freshName('model')}:k`;
            let at = Date.now();
            let model: number | undefined;
            for (const { advance, incrementMs, factor, reset } of steps) {
              at += advance;
              if (reset && advance % 5 === 0) {
                await backend!.reset(key);
                model = undefined;
                continue;
              }
              const input = { now: at, incrementMs, capacityMs: incrementMs * factor };
              const expected: GcraOutcome = stepGcra(model, input);
              if (expected.allowed) model = expected.tat;
              const actual = await backend!.consume(key, input);
              assert.deepEqual({ allowed: actual.allowed, tat: actual.tat }, expected);
            }
            await backend!.reset(key);
          }),
          { numRuns: 20 },
        );
      }),
    );
  });
}

/** Registers the expiry test. */
export function describeRateLimitExpiry(harness: RateLimitHarness): void {
  const { holds, ttlOf } = harness.options;

  describe('expiry', () => {
    it(
      'AB-02 a key is kept while its time runs and dropped once it has passed',
      harness.with(1, async ([backend]) => {
        const now = Date.now();
        const key = `${freshName('expiry')}:k`;
        const live = `${freshName('expiry')}:live`;
        await backend!.consume(key, { now, incrementMs: 1000, capacityMs: 5000 });
        await backend!.consume(key, { now, incrementMs: 1000, capacityMs: 5000 });
        await backend!.consume(live, { now, incrementMs: 60_000, capacityMs: 60_000 });
        if (ttlOf) {
          // Native expiry: the key lives until its TAT (now + 2 s) and not (much) longer.
          const ttl = await ttlOf(key);
          assert.ok(ttl !== null && ttl > 0 && ttl <= 2000, `ttl ${ttl} within (0, 2000]`);
        }
        await backend!.prune(now + 1999);
        if (holds) assert.equal(await holds(key), true, 'kept until its time has passed');
        const removed = await backend!.prune(now + 2000);
        if (holds) {
          assert.ok(removed >= 1, 'prune counts what it removed');
          assert.equal(await holds(key), false, 'dropped once its time has passed');
          assert.equal(await holds(live), true, 'a live key is kept');
        }
        // However it was dropped, a key whose time has passed behaves as a fresh one.
        const fresh = await backend!.consume(key, { now: now + 2000, incrementMs: 1000, capacityMs: 1000 });
        assert.deepEqual(fresh, { allowed: true, tat: now + 3000 });
        await backend!.reset(key);
        await backend!.reset(live);
      }),
    );
  });
}
