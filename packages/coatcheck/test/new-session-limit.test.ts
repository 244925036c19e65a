// newSessionLimiter: a cap on the anonymous sessions one client address creates. Checked at
// start-up, hit only when a record would be written for a visitor without one, refused with
// SessionRateLimitedError (429 ERR_SESSION_RATE_LIMITED with Retry-After through the HTTP
// policy), and never in the way of logins or sessions that exist.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager } from 'coatcheck';
import type { RequestInfo } from 'coatcheck/adapter';
import { SessionConfigError, SessionRateLimitedError } from 'coatcheck/errors';
import { memoryStore } from 'coatcheck/memory';
import { createRateLimiter, memoryRateLimit } from 'coatcheck/rate-limit';
import { createHttpPolicy, fetchRequest, isAnswer, type HttpAnswer } from 'coatcheck/adapter';

const SECRET = 'new-session-limit-secret-0123456789abcdef';
const CAP = 3;

function setup() {
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const store = memoryStore({ quiet: true });
  // 3 at once, then one per 20 s.
  const limiter = createRateLimiter({
    backend: memoryRateLimit(),
    name: 'new-session',
    rules: { address: { limit: CAP, windowMs: 60_000 } },
    now: clock.now,
    pruneIntervalMs: 0,
  });
  const manager = createSessionManager({ store, secrets: [SECRET], now: clock.now, production: false, newSessionLimiter: limiter });
  return { clock, store, manager };
}

type Setup = ReturnType<typeof setup>;

/** A visitor without a cookie puts something in the cart; the commit writes the session. */
async function visit({ manager }: Setup, ip: string | undefined): Promise<unknown> {
  const session = await manager.load({ ip, userAgent: 'test' } as RequestInfo);
  session.set('cart', [1]);
  return session.commit().then(
    () => 'created',
    (error: unknown) => error,
  );
}

describe('newSessionLimiter', () => {
  it('is checked at start-up: a rate limiter whose one dimension is address', () => {
    const store = memoryStore({ quiet: true });
    const backend = memoryRateLimit();
    const cases: [unknown, RegExp][] = [
      [{}, /newSessionLimiter must be a rate limiter: createRateLimiter\(/],
      [null, /newSessionLimiter must be a rate limiter/],
      [
        createRateLimiter({ backend, name: 'a', rules: { ip: { limit: 1, windowMs: 1000 } } }),
        /must limit one dimension, address \(the client address\), not ip/,
      ],
      [
        createRateLimiter({ backend, name: 'b', rules: { address: { limit: 1, windowMs: 1000 }, account: { limit: 1, windowMs: 1000 } } }),
        /not address, account/,
      ],
    ];
    for (const [newSessionLimiter, message] of cases) {
      assert.throws(
        () => createSessionManager({ store, secrets: [SECRET], newSessionLimiter: newSessionLimiter as never }),
        (error) => error instanceof SessionConfigError && message.test(error.message),
      );
    }
  });

  it('AB-02 one address creates at most the cap of anonymous sessions; the rest write nothing', async () => {
    const shop = setup();
    const outcomes = [];
    for (let i = 0; i < 10; i++) outcomes.push(await visit(shop, '203.0.113.1'));
    assert.deepEqual(outcomes.slice(0, CAP), Array(CAP).fill('created'));
    for (const refused of outcomes.slice(CAP)) {
      assert.ok(refused instanceof SessionRateLimitedError);
      assert.equal(refused.code, 'ERR_SESSION_RATE_LIMITED');
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.retryAfterMs, 20_000);
      assert.equal(refused.retryAfterSeconds, 20);
    }
    assert.equal(shop.store.size, CAP);
    // Another address is another bucket; the first gets one more after 20 s.
    assert.equal(await visit(shop, '203.0.113.2'), 'created');
    shop.clock.advance(20_000);
    assert.equal(await visit(shop, '203.0.113.1'), 'created');
    assert.ok((await visit(shop, '203.0.113.1')) instanceof SessionRateLimitedError);
    assert.equal(shop.store.size, CAP + 2);
  });

  it('AB-02 an IPv6 client counts per /64, an IPv4-mapped one as its IPv4 address', async () => {
    const shop = setup();
    for (let i = 1; i <= CAP; i++) assert.equal(await visit(shop, `2001:db8:1:2::${i}`), 'created');
    assert.ok((await visit(shop, '2001:db8:1:2:ffff::9')) instanceof SessionRateLimitedError);
    for (let i = 0; i < CAP; i++) await visit(shop, '198.51.100.4');
    assert.ok((await visit(shop, '::ffff:198.51.100.4')) instanceof SessionRateLimitedError);
  });

  it('AB-02 every way a visitor gets a record counts: a CSRF token and an anonymous session by id', async () => {
    const shop = setup();
    const info = { ip: '203.0.113.3' };
    await (await shop.manager.load(info)).csrfToken();
    const bearer = await shop.manager.loadById(null, info);
    bearer.set('cart', [2]);
    await bearer.commit();
    assert.equal(await visit(shop, info.ip), 'created');
    await assert.rejects((await shop.manager.load(info)).csrfToken(), SessionRateLimitedError);
    assert.equal(shop.store.size, CAP);
    // Without an address, sessions share one bucket: the rule is never skipped.
    for (let i = 0; i < CAP; i++) assert.equal(await visit(shop, undefined), 'created');
    assert.ok((await visit(shop, undefined)) instanceof SessionRateLimitedError);
  });

  it('AB-02 logins and sessions that exist are never refused, from a capped address too', async () => {
    const shop = setup();
    const ip = '203.0.113.4';
    const browser = await shop.manager.load({ ip });
    browser.set('cart', [1]);
    const [cookie] = await browser.commit();
    for (let i = 1; i < CAP; i++) await visit(shop, ip);
    assert.ok((await visit(shop, ip)) instanceof SessionRateLimitedError, 'the address is at its cap');
    // The visitor who already has a session keeps using it and logs in.
    const again = await shop.manager.load({ ip, cookie: (cookie as string).split(';')[0] });
    assert.equal(again.status, 'valid');
    again.set('cart', [1, 2]);
    await again.login('alice');
    await again.commit();
    // A login without a session first is not a new visitor either.
    const fresh = await shop.manager.load({ ip });
    await fresh.login('bob');
    assert.equal(fresh.userId, 'bob');
    // And a signed-in user's changes are written.
    fresh.set('cart', [3]);
    await fresh.commit();
    assert.equal(shop.store.size, CAP + 1);
  });

  it('AB-02 through the HTTP policy: 429 ERR_SESSION_RATE_LIMITED with Retry-After, no-store and no cookie', async () => {
    const shop = setup();
    const policy = createHttpPolicy({ manager: shop.manager });
    const addToCart = async (peer: string): Promise<HttpAnswer | readonly string[]> => {
      const tx = await policy.begin(
        fetchRequest(new Request('http://shop.test/cart', { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } }), { peer }),
      );
      assert.ok(!isAnswer(tx));
      tx.session.set('cart', [1]);
      const ended = await tx.end();
      return isAnswer(ended) ? ended : ended.cookies;
    };
    for (let i = 0; i < CAP; i++) assert.equal(((await addToCart('192.0.2.9')) as string[]).length, 1, 'a cookie for each new visitor');
    const refused = (await addToCart('192.0.2.9')) as HttpAnswer;
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '20');
    assert.equal(refused.headers['cache-control'], 'no-store');
    assert.equal(refused.headers['set-cookie'], undefined);
    assert.deepEqual(JSON.parse(refused.body), {
      error: { code: 'ERR_SESSION_RATE_LIMITED', message: 'Too many new sessions from this address; try again in 20 s.' },
    });
    // A handler that throws it (csrfToken()) gets the same answer.
    const answered = policy.answerError(new SessionRateLimitedError(1500));
    assert.equal(answered?.status, 429);
    assert.equal(answered?.headers['retry-after'], '2');
  });
});
