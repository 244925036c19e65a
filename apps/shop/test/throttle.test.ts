// The shop's throttles, attacked as an attacker would: password guessing on /login, /token and
// /reauth, spraying accounts from one address, many addresses on one account, registration and
// refresh floods. Every refusal is 429 ERR_TOO_MANY_ATTEMPTS with an exact Retry-After, comes
// before any password is hashed, and ends by itself: the clock is the app's, so waiting is
// moving it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { memoryRateLimit, type RateLimitBackend } from 'coatcheck/rate-limit';
import { createBrowser, createShop, loggedIn, PASSWORD, setCookies, type Clock } from './helpers.js';

const ATTACKER = '198.51.100.7';
/** THROTTLE_LOGIN_ADDRESS by default: 5 at once, then one per 2 s. */
const ADDRESS_BURST = 5;
const OWNER = '203.0.113.20';

function login(app: FastifyInstance, username: string, password: string, remoteAddress = ATTACKER, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/login', remoteAddress, headers, payload: { username, password } });
}

/** The seconds a 429 says to wait, checked for shape on the way. */
function retryAfter(res: LightMyRequestResponse): number {
  assert.equal(res.statusCode, 429, res.body);
  assert.equal(res.json().error.code, 'ERR_TOO_MANY_ATTEMPTS');
  const seconds = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(seconds) && seconds >= 1, `Retry-After ${res.headers['retry-after']}`);
  return seconds;
}

/** Retries `attempt` as an honest client would, waiting Retry-After each time; the total wait in s. */
async function waitThrough(clock: Clock, attempt: () => Promise<LightMyRequestResponse>, limit: number): Promise<[LightMyRequestResponse, number]> {
  let waited = 0;
  for (let i = 0; i < limit; i++) {
    const res = await attempt();
    if (res.statusCode !== 429) return [res, waited];
    const seconds = retryAfter(res);
    clock.advance(seconds * 1000);
    waited += seconds;
  }
  assert.fail(`still refused after ${limit} waits`);
}

async function registered(app: FastifyInstance, username: string): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/register', remoteAddress: OWNER, payload: { username, password: PASSWORD } });
  assert.equal(res.statusCode, 201, res.body);
}

describe('password throttling', () => {
  it('AB-03 102 wrong passwords, then the right one: 429 with Retry-After, not a login', async () => {
    const { app } = await createShop();
    await registered(app, 'alice');
    const statuses: number[] = [];
    for (let i = 0; i < 102; i++) statuses.push((await login(app, 'alice', `guess ${i}`)).statusCode);
    // Five quick tries for one account from one address, then nothing but 429s.
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.ok(
      statuses.slice(5).every((status) => status === 429),
      `after five: ${statuses.slice(5).join(',')}`,
    );
    const right = await login(app, 'alice', PASSWORD);
    retryAfter(right);
    assert.deepEqual(setCookies(right), [], 'no session, no cookie');
  });

  it('AB-03 the delay ends by itself: waiting as told, the right password logs in and clears the delays', async () => {
    const { app, clock } = await createShop();
    await registered(app, 'alice');
    for (let i = 0; i < 102; i++) await login(app, 'alice', `guess ${i}`);
    const [res, waited] = await waitThrough(clock, () => login(app, 'alice', PASSWORD), 20);
    assert.equal(res.statusCode, 200, res.body);
    // 2 s for the address's next slot, then 10 more for the pair's (one per 12 s): the 97
    // refused guesses never reached the account's limiters, so they pushed nothing further.
    assert.equal(waited, 12);
    // The good login cleared the account's delays (not the address's): five quick tries again
    // once the address has room.
    clock.advance(60_000);
    const again: number[] = [];
    for (let i = 0; i < 5; i++) again.push((await login(app, 'alice', 'wrong again')).statusCode);
    assert.deepEqual(again, [401, 401, 401, 401, 401]);
  });

  it('AB-03 the delays grow: past 20 tries in an hour, one per 3 minutes', async () => {
    const { app, clock } = await createShop();
    await registered(app, 'alice');
    // A guesser who waits as told: when does each guess get checked?
    const checkedAt: number[] = [];
    while (checkedAt.length < 22) {
      const res = await login(app, 'alice', 'wrong');
      if (res.statusCode === 401) checkedAt.push(clock.now());
      else clock.advance(retryAfter(res) * 1000);
    }
    const gaps = checkedAt.slice(1).map((at, i) => (at - (checkedAt[i] as number)) / 1000);
    assert.deepEqual(gaps.slice(0, 7), [0, 0, 0, 0, 12, 12, 12], 'five at once, then one per 12 s');
    assert.equal(gaps.at(-1), 180, 'one per 3 min past 20 in the hour');
  });

  it('AB-03 a guesser does not lock the owner out: from their own address, the owner logs in at once', async () => {
    const { app } = await createShop();
    await registered(app, 'alice');
    for (let i = 0; i < 102; i++) await login(app, 'alice', `guess ${i}`);
    assert.equal((await login(app, 'alice', PASSWORD)).statusCode, 429);
    assert.equal((await login(app, 'alice', PASSWORD, OWNER)).statusCode, 200);
  });

  it('AB-03 X-Forwarded-For from a peer nobody trusts changes nothing: the peer is the address', async () => {
    const { app } = await createShop();
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) statuses.push((await login(app, `user${i}`, 'wrong', ATTACKER, { 'x-forwarded-for': `192.0.2.${i + 1}` })).statusCode);
    assert.deepEqual(statuses.slice(0, ADDRESS_BURST), Array(ADDRESS_BURST).fill(401));
    assert.deepEqual(statuses.slice(ADDRESS_BURST), Array(35 - ADDRESS_BURST).fill(429), 'a made-up X-Forwarded-For is no fresh address');
  });

  it('AB-03 behind a trusted proxy, the forwarded client is the address (the proxy-trust rule of the sessions)', async () => {
    const { app } = await createShop({ app: { trustProxy: ['127.0.0.1'] } });
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'x-forwarded-for': `192.0.2.${i + 1}` },
        payload: { username: `user${i}`, password: 'wrong' },
      });
      statuses.push(res.statusCode);
    }
    assert.deepEqual(statuses, Array(35).fill(401), '35 clients behind one proxy, one try each');
  });

  it('AB-04 one address spraying many accounts is stopped by the address limit; other addresses are not', async () => {
    const { app, clock } = await createShop();
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await login(app, `victim${i}`, 'Summer2026!')).statusCode);
    assert.deepEqual(statuses.slice(0, ADDRESS_BURST), Array(ADDRESS_BURST).fill(401));
    assert.deepEqual(statuses.slice(ADDRESS_BURST), Array(40 - ADDRESS_BURST).fill(429));
    assert.equal((await login(app, 'victim0', 'Summer2026!', OWNER)).statusCode, 401, 'another address still gets an answer');
    // After 2 s the address has one more try: 30 per minute at most, however long it goes on.
    const res = await login(app, 'victim99', 'Summer2026!');
    assert.equal(retryAfter(res), 2);
    clock.advance(2000);
    assert.equal((await login(app, 'victim99', 'Summer2026!')).statusCode, 401);
    assert.equal((await login(app, 'victim98', 'Summer2026!')).statusCode, 429);
  });

  it("AB-04 many addresses on one account reach the account's ceiling; the owner is slowed, not locked out", async () => {
    const { app, clock } = await createShop();
    await registered(app, 'alice');
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await login(app, 'alice', `guess ${i}`, `198.51.100.${i + 1}`)).statusCode);
    assert.deepEqual(statuses.slice(0, 50), Array(50).fill(401), '50 an hour from everywhere together');
    assert.deepEqual(statuses.slice(50), Array(10).fill(429));
    // The trade-off: the owner shares this ceiling. They wait one slot (72 s), never for good,
    // and their good login clears it.
    const [res, waited] = await waitThrough(clock, () => login(app, 'alice', PASSWORD, OWNER), 3);
    assert.equal(res.statusCode, 200);
    assert.equal(waited, 72);
    assert.equal((await login(app, 'alice', 'guess', '198.51.100.99')).statusCode, 401);
  });

  it('AB-05 a throttled unknown user and a throttled real user get the same answer', async () => {
    const { app } = await createShop();
    await registered(app, 'carol');
    const last = async (username: string, address: string) => {
      let res: LightMyRequestResponse | undefined;
      for (let i = 0; i < 8; i++) res = await login(app, username, 'wrong', address);
      return res as LightMyRequestResponse;
    };
    const real = await last('carol', '198.51.100.1');
    const unknown = await last('nobody', '198.51.100.2');
    for (const res of [real, unknown]) retryAfter(res);
    assert.deepEqual([real.statusCode, real.body, real.headers['retry-after']], [unknown.statusCode, unknown.body, unknown.headers['retry-after']]);
  });

  it("AB-03 a browser's form login is throttled with the login page: 429, Retry-After and the message", async () => {
    const { app } = await createShop();
    const form = (password: string) =>
      app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: ATTACKER,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        payload: `username=alice&password=${password}`,
      });
    for (let i = 0; i < 5; i++) assert.equal((await form(`guess${i}`)).statusCode, 401);
    const res = await form('guess5');
    assert.equal(res.statusCode, 429);
    assert.equal(res.headers['retry-after'], '2');
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /Too many attempts; try again in 2 s\./);
  });

  it('AB-03 POST /token counts with POST /login: one account, one allowance', async () => {
    const { app } = await createShop();
    await registered(app, 'alice');
    const token = (password: string) => app.inject({ method: 'POST', url: '/token', remoteAddress: ATTACKER, payload: { username: 'alice', password } });
    for (let i = 0; i < 3; i++) assert.equal((await login(app, 'alice', 'wrong')).statusCode, 401);
    for (let i = 0; i < 2; i++) assert.equal((await token('wrong')).statusCode, 401);
    const refused = await token(PASSWORD);
    retryAfter(refused);
    assert.equal(refused.headers['cache-control'], 'no-store');
    assert.equal(refused.json().access_token, undefined);
  });

  it('AB-03 step-up guesses on POST /reauth are throttled like logins of the account', async () => {
    const { app, clock } = await createShop();
    const browser = await loggedIn(app, 'dave');
    const reauth = (password: string) => browser.request({ method: 'POST', url: '/reauth', payload: { password } });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await reauth(`guess ${i}`)).statusCode);
    // The login spent one of the address's five quick tries; the right password cleared only
    // the account's limiters.
    assert.deepEqual(statuses.slice(0, 4), [403, 403, 403, 403]);
    assert.deepEqual(statuses.slice(4), Array(8).fill(429));
    retryAfter(await reauth(PASSWORD));
    // The session is still logged in, and the right password passes once the delay is over.
    assert.equal((await browser.get('/profile')).statusCode, 200);
    const [res] = await waitThrough(clock, () => reauth(PASSWORD), 3);
    assert.equal(res.statusCode, 200, res.body);
  });
});

describe('registration and refresh throttling', () => {
  it('AP-07 registrations from one address are throttled before any hashing; other addresses go on', async () => {
    const { app } = await createShop();
    const register = (i: number, remoteAddress = ATTACKER) =>
      app.inject({ method: 'POST', url: '/register', remoteAddress, payload: { username: `bot${i}`, password: PASSWORD } });
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await register(i)).statusCode);
    assert.deepEqual(statuses, [...Array(10).fill(201), ...Array(5).fill(429)]);
    retryAfter(await register(99));
    assert.equal((await register(100, OWNER)).statusCode, 201);
    // A refused registration created nothing: the name is still free.
    assert.equal((await register(12, OWNER)).statusCode, 201);
  });

  it('AB-07 random refresh tokens get 401, and past the address limit 429 before any lookup', async () => {
    const { app } = await createShop();
    const refresh = (i: number) =>
      app.inject({ method: 'POST', url: '/token/refresh', remoteAddress: ATTACKER, payload: { refresh_token: `rt_${'x'.repeat(20)}${i}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 65; i++) statuses.push((await refresh(i)).statusCode);
    assert.deepEqual(statuses, [...Array(60).fill(401), ...Array(5).fill(429)]);
    const refused = await refresh(0);
    assert.equal(retryAfter(refused), 1);
    assert.equal(refused.headers['cache-control'], 'no-store');
  });

  it('AB-03 a flood of refused attempts is cheap: held before the answer, and a closed address gate is not asked again', async () => {
    const inner = memoryRateLimit();
    let consumed = 0;
    const backend: RateLimitBackend = { ...inner, consume: (key, step) => (consumed++, inner.consume(key, step)) };
    const { app } = await createShop({ app: { rateLimitBackend: backend, throttleHoldMs: 300 } });
    for (let i = 0; i < ADDRESS_BURST; i++) assert.equal((await login(app, `spray${i}`, 'wrong')).statusCode, 401);
    const before = consumed;
    const started = performance.now();
    for (let i = 0; i < 4; i++) assert.equal(retryAfter(await login(app, `spray${i + 10}`, 'wrong')), 2);
    // Held (a lower bound: a loaded machine only makes it longer), and after the first
    // refusal answered from memory until the gate opens again: two tiers, one round trip.
    assert.ok(performance.now() - started >= 4 * 300, 'the refusals were held');
    assert.equal(consumed - before, 2);
  });

  it('a throttle set to off lets everything through to the password check', async () => {
    const { app } = await createShop({ app: { throttles: { loginAddress: null, loginAccountAddress: null, loginAccount: null } } });
    const browser = createBrowser(app);
    for (let i = 0; i < 40; i++) assert.equal((await browser.post('/login', { username: 'alice', password: 'wrong' })).statusCode, 401);
  });
});

describe('new anonymous sessions', () => {
  const countSessions = (db: { prepare(sql: string): { get(): unknown } }) =>
    (db.prepare('SELECT count(*) AS n FROM coatcheck_sessions').get() as { n: number }).n;

  it('AB-02 600 cart adds without a cookie from one address create 30 sessions; the rest get 429, other addresses and signed-in users go on', async () => {
    const { app, db } = await createShop();
    const add = (remoteAddress: string) => app.inject({ method: 'POST', url: '/cart/add', remoteAddress, payload: { item_id: 1 } });
    const statuses = new Map<number, number>();
    const refused: LightMyRequestResponse[] = [];
    for (let i = 0; i < 600; i++) {
      const res = await add(ATTACKER);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode === 429) refused.push(res);
    }
    assert.deepEqual(Object.fromEntries(statuses), { 200: 30, 429: 570 });
    assert.equal(countSessions(db), 30, 'THROTTLE_NEW_SESSIONS: 30 at once from one address');
    for (const res of refused) {
      assert.equal(res.json().error.code, 'ERR_SESSION_RATE_LIMITED');
      assert.deepEqual(setCookies(res), []);
    }
    // One more every 2 s at first; hammering on used up the hour's tier (300), so one per 12 s.
    assert.equal(refused[0]?.headers['retry-after'], '2');
    assert.equal(refused.at(-1)?.headers['retry-after'], '12');
    // An anonymous bearer session is a new session too.
    const bearer = await app.inject({ method: 'POST', url: '/anonymous-login', remoteAddress: ATTACKER });
    assert.equal(bearer.statusCode, 429);
    assert.equal(bearer.json().error.code, 'ERR_SESSION_RATE_LIMITED');

    // Another address is another allowance.
    assert.equal((await add(OWNER)).statusCode, 200);
    // A user who signs in from the flooded address is not a new visitor: login and cart work.
    await registered(app, 'erin');
    const user = createBrowser(app);
    const login = await user.request({ method: 'POST', url: '/login', remoteAddress: ATTACKER, payload: { username: 'erin', password: PASSWORD } });
    assert.equal(login.statusCode, 200, login.body);
    const cart = await user.request({ method: 'POST', url: '/cart/add', remoteAddress: ATTACKER, payload: { item_id: 2 } });
    assert.equal(cart.statusCode, 200, cart.body);
    assert.equal(countSessions(db), 32);
  });
});
