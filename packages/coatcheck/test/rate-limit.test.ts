// The limiter itself, on the memory backend: option checks, tiers that make delays grow,
// keys as the backend sees them, the memory bound, and the prune timer. The backend
// contract (verdicts, atomicity, expiry) runs per backend through @coatcheck/conformance.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SessionConfigError } from 'coatcheck/errors';
import { RATE_LIMIT_PRUNE_WARNING, addressKey, createRateLimiter, memoryRateLimit, retryAfterSeconds, type RateLimitBackend } from 'coatcheck/rate-limit';

const rule = { limit: 5, windowMs: 60_000 };
const make = (options: Record<string, unknown>) => () =>
  createRateLimiter({ backend: memoryRateLimit(), name: 'login', rules: { address: rule }, pruneIntervalMs: 0, ...options } as never);

function recording(): RateLimitBackend & { keys: string[] } {
  const inner = memoryRateLimit();
  const keys: string[] = [];
  return { ...inner, keys, consume: (key, step) => (keys.push(key), inner.consume(key, step)) };
}

describe('createRateLimiter options', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['no backend', { backend: undefined }, /`backend` must be a rate-limit backend: memoryRateLimit\(\)/],
    ['a bad name', { name: 'log in' }, /`name` must be 1-64 letters/],
    ['no rules', { rules: {} }, /`rules` must name at least one dimension/],
    ['a bad dimension', { rules: { 'ip address': rule } }, /rule name `ip address` must be/],
    ['a zero limit', { rules: { address: { limit: 0, windowMs: 1000 } } }, /`rules.address.limit` must be a positive integer/],
    ['a fractional window', { rules: { address: { limit: 1, windowMs: 1.5 } } }, /`rules.address.windowMs` must be a whole number/],
    ['a rate above 1/ms', { rules: { address: { limit: 10, windowMs: 5 } } }, /finest rate is one hit per ms. Lengthen windowMs/],
    ['a bad burst in a tier', { rules: { account: [rule, { ...rule, burst: -1 }] } }, /`rules.account\[1\].burst` must be a positive integer/],
    ['an empty tier list', { rules: { account: [] } }, /must be a rule or a list of 1 to 8 rules/],
    ['a bad clock', { now: 5 }, /`now` must be a function/],
    ['a bad prune interval', { pruneIntervalMs: -1 }, /`pruneIntervalMs` must be a whole number/],
  ];
  for (const [what, options, message] of cases) {
    it(`refuses ${what} with SessionConfigError saying how to fix it`, () => {
      assert.throws(make(options), (error) => error instanceof SessionConfigError && message.test(error.message));
    });
  }

  it('refuses a bad maxKeys for the memory backend', () => {
    assert.throws(() => memoryRateLimit({ maxKeys: 0 }), /`maxKeys` must be a positive integer/);
  });
});

describe('createRateLimiter', () => {
  it('AB-03 tiers make the delays grow: 5 quick tries, then one per 12 s, then one per 6 min', async () => {
    let at = 1_000_000;
    const limiter = createRateLimiter({
      backend: memoryRateLimit(),
      name: 'login',
      rules: {
        account: [
          { limit: 5, windowMs: 60_000 },
          { limit: 10, windowMs: 3_600_000 },
        ],
      },
      now: () => at,
      pruneIntervalMs: 0,
    });
    // An attacker retrying the moment Retry-After allows.
    const waits: number[] = [];
    for (let attempt = 0; attempt < 14; attempt++) {
      let verdict = await limiter.hit({ account: 'ada' });
      if (!verdict.allowed) {
        waits.push(verdict.retryAfterMs);
        at += verdict.retryAfterMs;
        verdict = await limiter.hit({ account: 'ada' });
        assert.equal(verdict.allowed, true, 'waiting retryAfterMs is always enough');
      } else waits.push(0);
    }
    assert.deepEqual(waits.slice(0, 5), [0, 0, 0, 0, 0]);
    assert.equal(waits[5], 12_000);
    assert.ok(
      waits.slice(10).every((ms) => ms >= 300_000),
      `the hourly tier took over: ${waits.join(', ')}`,
    );
  });

  it('AB-03 a missing value counts against one shared bucket; the rule is never skipped', async () => {
    const limiter = make({ rules: { account: { limit: 2, windowMs: 60_000 } } })();
    const missing = { account: undefined as unknown as string };
    assert.equal((await limiter.hit(missing)).allowed, true);
    assert.equal((await limiter.hit(missing)).allowed, true);
    assert.equal((await limiter.hit(missing)).allowed, false);
  });

  it('hands the backend fixed-length hashed keys: never the raw value, whatever its size', async () => {
    const backend = recording();
    const limiter = createRateLimiter({ backend, name: 'login', rules: { account: rule }, pruneIntervalMs: 0 });
    await limiter.hit({ account: 'ada@example.com' });
    await limiter.hit({ account: `{tag}${'x'.repeat(100_000)}` });
    assert.equal(backend.keys.length, 2);
    for (const key of backend.keys) assert.match(key, /^login:account:0:[A-Za-z0-9_-]{43}$/);
  });

  it('names its dimensions, in the order of its rules', () => {
    const limiter = createRateLimiter({ backend: memoryRateLimit(), name: 'login', rules: { address: rule, account: [rule, rule] }, pruneIntervalMs: 0 });
    assert.deepEqual(limiter.dimensions, ['address', 'account']);
    assert.ok(Object.isFrozen(limiter.dimensions));
  });

  it('retryAfterSeconds rounds up, so waiting that long is enough', () => {
    assert.equal(retryAfterSeconds({ retryAfterMs: 0 }), 0);
    assert.equal(retryAfterSeconds({ retryAfterMs: 1 }), 1);
    assert.equal(retryAfterSeconds({ retryAfterMs: 12_000 }), 12);
    assert.equal(retryAfterSeconds({ retryAfterMs: 12_001 }), 13);
  });

  it('rounds a fractional interval up: 3 per second is one per 334 ms, never faster', async () => {
    let at = 0;
    const limiter = createRateLimiter({
      backend: memoryRateLimit(),
      name: 'n',
      rules: { k: { limit: 3, windowMs: 1000, burst: 1 } },
      now: () => at,
      pruneIntervalMs: 0,
    });
    assert.equal((await limiter.hit({ k: 'a' })).allowed, true);
    const refused = await limiter.hit({ k: 'a' });
    assert.equal(refused.retryAfterMs, 334);
    at = 333.9; // the clock is floored to whole ms
    assert.equal((await limiter.hit({ k: 'a' })).allowed, false);
  });

  it('the prune timer prunes the backend, and reports a failing prune as a warning', async () => {
    const backend = memoryRateLimit();
    let at = Date.now();
    const limiter = createRateLimiter({ backend, name: 'p', rules: { k: rule }, now: () => at, pruneIntervalMs: 5 });
    await limiter.hit({ k: 'a' });
    assert.equal(backend.size, 1);
    at += 60_000;
    for (let i = 0; i < 400 && backend.size > 0; i++) await sleep(5);
    limiter.close();
    assert.equal(backend.size, 0, 'the timer pruned the passed key');

    const warnings: Error[] = [];
    const listener = (warning: Error & { code?: string }) => void (warning.code === RATE_LIMIT_PRUNE_WARNING && warnings.push(warning));
    process.on('warning', listener);
    const failing = createRateLimiter({
      backend: { ...memoryRateLimit(), name: 'broken', prune: () => Promise.reject(new Error('disk gone')) },
      name: 'p',
      rules: { k: rule },
      pruneIntervalMs: 5,
    });
    for (let i = 0; i < 400 && warnings.length === 0; i++) await sleep(5);
    failing.close();
    process.off('warning', listener);
    assert.match(warnings[0]?.message ?? '', /rate limiter 'p' could not prune its broken backend: disk gone/);
  });
});

describe('memoryRateLimit', () => {
  it('AB-02 stays bounded under a flood of fresh keys, dropping the least recently hit', async () => {
    const backend = memoryRateLimit({ maxKeys: 100 });
    const step = { now: 0, incrementMs: 1, capacityMs: 1_000_000 };
    await backend.consume('kept', step);
    for (let i = 0; i < 1000; i++) {
      await backend.consume(`flood-${i}`, step);
      if (i % 50 === 0) await backend.consume('kept', step); // a key in use stays recent
    }
    assert.equal(backend.size, 100);
    // A probe that cannot pass reads the stored TAT without changing it.
    const probe = { now: 0, incrementMs: 2_000_000, capacityMs: 1_000_000 };
    assert.equal((await backend.consume('kept', probe)).tat, 21, 'the key in use kept all 21 hits: never dropped');
    const dropped = await backend.consume('flood-0', probe);
    assert.equal(dropped.tat, 0, 'the oldest flood key was dropped');
  });
});

describe('addressKey', () => {
  it('keeps an IPv4 address, also written IPv4-mapped, and keys IPv6 by its /64', () => {
    assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('::FFFF:cb00:7107'), '203.0.113.7');
    assert.equal(addressKey('2001:db8:0:1::1'), '2001:db8:0:1::/64');
    assert.equal(addressKey('2001:DB8:0:1:ffff:ffff:ffff:ffff'), '2001:db8:0:1::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
  });

  it('AB-02 one IPv6 subscriber cannot escape a per-address limit by picking new addresses in its /64', async () => {
    const limiter = createRateLimiter({ backend: memoryRateLimit(), name: 'signup', rules: { address: { limit: 2, windowMs: 60_000 } }, pruneIntervalMs: 0 });
    const verdicts = [];
    for (const host of ['1', '2', 'dead:beef', 'ffff:ffff:fffe']) verdicts.push((await limiter.hit({ address: addressKey(`2001:db8:7:8::${host}`) })).allowed);
    assert.deepEqual(verdicts, [true, true, false, false]);
    assert.equal((await limiter.hit({ address: addressKey('2001:db8:7:9::1') })).allowed, true, 'the next /64 is another subscriber');
  });

  it('gives anything else a key of its own, a missing address included', () => {
    assert.equal(addressKey(' Unknown '), 'unknown');
    assert.equal(addressKey(undefined), '');
    assert.equal(addressKey(null), '');
    assert.equal(addressKey('1.2.3.999'), '1.2.3.999');
  });
});
