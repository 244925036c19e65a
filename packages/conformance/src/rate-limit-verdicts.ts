/**
 * Conformance: what a limiter on the backend answers, at an injected clock. Registered by
 * `describeRateLimitConformance`.
 *
 * @module
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRateLimiter, type RateLimitBackend, type RateLimitRule } from 'coatcheck/rate-limit';
import type { RateLimitHarness } from './rate-limit.js';

/** A fresh limiter name, so tests never share keys on a shared backend. */
export const freshName = (label: string): string => `conf-${label}-${randomBytes(5).toString('hex')}`;

/** A clock the test moves by hand, starting at a whole millisecond near now. */
export function manualClock(): { now: () => number; advance(ms: number): void; set(at: number): void; start: number } {
  const start = Date.now();
  let at = start;
  return {
    now: () => at,
    advance: (ms) => {
      at += ms;
    },
    set: (value) => {
      at = value;
    },
    start,
  };
}

function limiterOn<D extends string>(backend: RateLimitBackend, rules: Record<D, RateLimitRule | RateLimitRule[]>, now: () => number) {
  return createRateLimiter({ backend, name: freshName('v'), rules, now, pruneIntervalMs: 0 });
}

/** Registers the verdict tests. */
export function describeRateLimitVerdicts(harness: RateLimitHarness): void {
  describe('verdicts', () => {
    it(
      'AB-03 a fresh key lets exactly `burst` hits through, counting down `remaining`',
      harness.with(1, async ([backend]) => {
        const clock = manualClock();
        const limiter = limiterOn(backend!, { key: { limit: 5, windowMs: 10_000 } }, clock.now);
        const verdicts = [];
        for (let i = 0; i < 6; i++) verdicts.push(await limiter.hit({ key: 'a' }));
        assert.deepEqual(
          verdicts.map((v) => v.allowed),
          [true, true, true, true, true, false],
        );
        assert.deepEqual(
          verdicts.map((v) => v.remaining),
          [4, 3, 2, 1, 0, 0],
        );
        assert.deepEqual(
          verdicts.map((v) => v.retryAfterMs),
          [0, 0, 0, 0, 2000, 2000],
        );
        assert.deepEqual(
          verdicts.map((v) => v.resetMs),
          [2000, 4000, 6000, 8000, 10_000, 10_000],
        );
        assert.deepEqual(verdicts[5]?.limitedBy, ['key']);
        assert.deepEqual(verdicts[0]?.limitedBy, []);
      }),
    );

    it(
      'AB-03 retryAfterMs is exact: 1 ms early is refused, on time is let through, refusals move nothing',
      harness.with(1, async ([backend]) => {
        const clock = manualClock();
        const limiter = limiterOn(backend!, { key: { limit: 3, windowMs: 30_000 } }, clock.now);
        for (let i = 0; i < 3; i++) assert.equal((await limiter.hit({ key: 'a' })).allowed, true);
        const refused = await limiter.hit({ key: 'a' });
        assert.equal(refused.allowed, false);
        assert.equal(refused.retryAfterMs, 10_000);
        for (let i = 0; i < 10; i++) await limiter.hit({ key: 'a' });
        clock.advance(9999);
        const early = await limiter.hit({ key: 'a' });
        assert.equal(early.allowed, false);
        assert.equal(early.retryAfterMs, 1);
        clock.advance(1);
        const onTime = await limiter.hit({ key: 'a' });
        assert.equal(onTime.allowed, true, 'the refused hits did not push the time further');
        assert.equal((await limiter.hit({ key: 'a' })).allowed, false, 'one interval refills exactly one hit');
      }),
    );

    it(
      "refills at the rule's rate, and a quiet window restores the whole burst",
      harness.with(1, async ([backend]) => {
        const clock = manualClock();
        const limiter = limiterOn(backend!, { key: { limit: 4, windowMs: 8000 } }, clock.now);
        for (let i = 0; i < 4; i++) await limiter.hit({ key: 'a' });
        clock.advance(4000);
        const passed = [];
        for (let i = 0; i < 3; i++) passed.push((await limiter.hit({ key: 'a' })).allowed);
        assert.deepEqual(passed, [true, true, false], 'half a window refills half the burst');
        clock.advance(8000);
        const again = [];
        for (let i = 0; i < 5; i++) again.push((await limiter.hit({ key: 'a' })).allowed);
        assert.deepEqual(again, [true, true, true, true, false]);
      }),
    );

    it(
      'a burst below the limit spreads the hits out',
      harness.with(1, async ([backend]) => {
        const clock = manualClock();
        const limiter = limiterOn(backend!, { key: { limit: 10, windowMs: 10_000, burst: 2 } }, clock.now);
        const verdicts = [];
        for (let i = 0; i < 3; i++) verdicts.push(await limiter.hit({ key: 'a' }));
        assert.deepEqual(
          verdicts.map((v) => v.allowed),
          [true, true, false],
        );
        assert.equal(verdicts[2]?.retryAfterMs, 1000);
      }),
    );

    it(
      'AB-04 keys are independent: by value, by dimension, by limiter name',
      harness.with(1, async ([backend]) => {
        const clock = manualClock();
        const rules = { address: { limit: 3, windowMs: 60_000 }, account: { limit: 2, windowMs: 60_000 } };
        const limiter = limiterOn(backend!, rules, clock.now);
        // One address trying many accounts: the address rule stops it.
        const spray = [];
        for (let i = 0; i < 4; i++) spray.push(await limiter.hit({ address: '198.51.100.1', account: `user${i}` }));
        assert.deepEqual(
          spray.map((v) => v.allowed),
          [true, true, true, false],
        );
        assert.deepEqual(spray[3]?.limitedBy, ['address']);
        // Many addresses trying one account: the account rule stops it.
        const stuffing = [];
        for (let i = 0; i < 3; i++) stuffing.push(await limiter.hit({ address: `203.0.113.${i}`, account: 'target' }));
        assert.deepEqual(
          stuffing.map((v) => v.allowed),
          [true, true, false],
        );
        assert.deepEqual(stuffing[2]?.limitedBy, ['account']);
        // Another value, and the same values under another limiter name, start full.
        assert.equal((await limiter.hit({ address: '198.51.100.2', account: 'other' })).remaining, 1);
        const other = limiterOn(backend!, rules, clock.now);
        assert.equal((await other.hit({ address: '198.51.100.1', account: 'target' })).allowed, true);
      }),
    );

    it(
      'reset forgets the given dimensions only',
      harness.with(1, async ([backend]) => {
        const clock = manualClock();
        const limiter = limiterOn(
          backend!,
          {
            address: { limit: 2, windowMs: 60_000 },
            account: [
              { limit: 2, windowMs: 60_000 },
              { limit: 3, windowMs: 600_000 },
            ],
          },
          clock.now,
        );
        const keys = { address: '192.0.2.1', account: 'ada' };
        for (let i = 0; i < 2; i++) await limiter.hit(keys);
        assert.deepEqual((await limiter.hit(keys)).limitedBy, ['address', 'account']);
        await limiter.reset({ account: 'ada' });
        assert.deepEqual((await limiter.hit(keys)).limitedBy, ['address'], 'every tier of the account was forgotten');
        await limiter.reset({ address: '192.0.2.1' });
        assert.equal((await limiter.hit(keys)).allowed, true);
        await limiter.reset({ account: 'never-seen' });
      }),
    );

    it(
      'the injected clock rules: going back in time grants nothing, far ahead starts fresh',
      harness.with(1, async ([backend]) => {
        const clock = manualClock();
        const limiter = limiterOn(backend!, { key: { limit: 2, windowMs: 120_000 } }, clock.now);
        for (let i = 0; i < 2; i++) await limiter.hit({ key: 'a' });
        clock.advance(-60_000);
        const back = await limiter.hit({ key: 'a' });
        assert.equal(back.allowed, false);
        assert.equal(back.retryAfterMs, 120_000);
        clock.set(clock.start + 3_600_000);
        assert.equal((await limiter.hit({ key: 'a' })).remaining, 1);
      }),
    );
  });
}
