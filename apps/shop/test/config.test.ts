// Lifetimes from the environment: parsed once at start-up, refused with a message that says
// how to fix them, and applied to the cookie and the tokens the app issues.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, readConfig } from '../src/config.js';
import { DEFAULT_LIFETIMES, parseDuration } from '../src/lifetimes.js';
import { DEFAULT_THROTTLES, describeThrottle } from '../src/hardening/throttle-config.js';
import { createBrowser, createShop, PASSWORD, setCookies } from './helpers.js';

const config = (env: Record<string, string>) => readConfig(env, '/tmp');

describe('lifetime configuration', () => {
  it('defaults to the tutorials: 30 minutes idle, remember-me one day, 15-minute access tokens', () => {
    assert.deepEqual(config({}).lifetimes, { idleTimeout: 1800, absoluteTimeout: 43200, rememberMe: 86400, accessTokenTtl: 1800, refreshLifetime: 30 * 86400 });
    assert.deepEqual(config({}).lifetimes, DEFAULT_LIFETIMES);
  });

  it('reads seconds or a number with s, m, h or d', () => {
    assert.deepEqual(
      config({
        SESSION_IDLE_TIMEOUT: '15m',
        SESSION_ABSOLUTE_TIMEOUT: '8h',
        REMEMBER_ME_LIFETIME: '7d',
        ACCESS_TOKEN_TTL: '300',
        REFRESH_TOKEN_LIFETIME: ' 2D ',
      }).lifetimes,
      { idleTimeout: 900, absoluteTimeout: 28800, rememberMe: 7 * 86400, accessTokenTtl: 300, refreshLifetime: 2 * 86400 },
    );
    assert.equal(config({ SESSION_IDLE_TIMEOUT: '' }).lifetimes.idleTimeout, 1800, 'empty is unset');
    for (const [text, seconds] of [
      ['90', 90],
      ['90s', 90],
      ['2m', 120],
      ['1h', 3600],
      ['1d', 86400],
      ['1.5h', null],
      ['-5', null],
      ['5 minutes', null],
      ['', null],
      ['1e3', null],
    ] as const) {
      assert.equal(parseDuration(text), seconds, text);
    }
  });

  it('refuses unusable values with a message naming the variable and the fix', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ SESSION_IDLE_TIMEOUT: 'soon' }, /^SESSION_IDLE_TIMEOUT must be a duration: seconds \(1800\) or a number with s, m, h or d/],
      [{ ACCESS_TOKEN_TTL: '2h' }, /^ACCESS_TOKEN_TTL must be from 10 s to 3600 s \(1h\); got 7200 s \(2h\)\. Unset it for the default/],
      [{ REMEMBER_ME_LIFETIME: '401d' }, /^REMEMBER_ME_LIFETIME must be from 60 s \(1m\) to 34560000 s \(400d\)/],
      [{ REFRESH_TOKEN_LIFETIME: '0' }, /^REFRESH_TOKEN_LIFETIME must be from/],
      [
        { SESSION_IDLE_TIMEOUT: '2h', SESSION_ABSOLUTE_TIMEOUT: '1h' },
        /SESSION_IDLE_TIMEOUT .* cannot exceed SESSION_ABSOLUTE_TIMEOUT .*; shorten the first or lengthen the second/,
      ],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => config(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
        JSON.stringify(env),
      );
    }
  });

  it('the app applies them: the remember-me cookie and the access-token lifetime', async () => {
    const { app } = await createShop({ app: { lifetimes: { rememberMe: 7200, accessTokenTtl: 120 } } });
    const browser = createBrowser(app);
    await browser.post('/register', { username: 'lena', password: PASSWORD });
    const login = await browser.post('/login', { username: 'lena', password: PASSWORD, remember: true });
    assert.match(setCookies(login).join('\n'), /Max-Age=7200;/);
    const token = await app.inject({ method: 'POST', url: '/token', payload: { username: 'lena', password: PASSWORD } });
    assert.equal(token.statusCode, 200);
    assert.equal(token.json().expires_in, 120);
  });
});

describe('CORS_ORIGINS', () => {
  it('reads comma-separated exact origins; none by default', () => {
    assert.deepEqual(config({}).corsOrigins, []);
    assert.deepEqual(config({ CORS_ORIGINS: ' https://app.example , http://localhost:5173,' }).corsOrigins, ['https://app.example', 'http://localhost:5173']);
  });

  it('CO-05 refuses anything but scheme://host[:port]: a wildcard, a path, a bare host', () => {
    for (const value of ['*', 'https://app.example/', 'https://app.example/spa', 'app.example', 'https://*.example', 'null']) {
      assert.throws(
        () => config({ CORS_ORIGINS: `https://ok.example,${value}` }),
        (error: unknown) =>
          error instanceof ConfigError && /^CORS_ORIGINS lists exact origins/.test(error.message) && error.message.includes(JSON.stringify(value)),
        value,
      );
    }
  });
});

describe('STEP_UP_CHECKOUT_ABOVE', () => {
  it('is 10000 cents by default, a whole number of cents, or off; anything else names the variable', () => {
    assert.equal(config({}).stepUpCheckoutAbove, 10_000);
    assert.equal(config({ STEP_UP_CHECKOUT_ABOVE: ' 2500 ' }).stepUpCheckoutAbove, 2500);
    assert.equal(config({ STEP_UP_CHECKOUT_ABOVE: 'off' }).stepUpCheckoutAbove, null);
    for (const value of ['-1', '12.5', '1e4', 'lots']) {
      assert.throws(() => config({ STEP_UP_CHECKOUT_ABOVE: value }), /STEP_UP_CHECKOUT_ABOVE must be a whole number of cents/);
    }
  });
});

describe('MAX_DEVICES and MAX_DEVICES_POLICY', () => {
  it('cap an account at 10 devices by default, the oldest signed out to make room; off turns the cap off', () => {
    assert.deepEqual(config({}).deviceCap, { max: 10, policy: 'evictOldest' });
    assert.deepEqual(config({ MAX_DEVICES: '', MAX_DEVICES_POLICY: '' }).deviceCap, { max: 10, policy: 'evictOldest' }, 'empty is unset');
    assert.deepEqual(config({ MAX_DEVICES: ' 3 ' }).deviceCap, { max: 3, policy: 'evictOldest' });
    assert.deepEqual(config({ MAX_DEVICES: '1000', MAX_DEVICES_POLICY: 'idlest' }).deviceCap, { max: 1000, policy: 'evictIdlest' });
    assert.deepEqual(config({ MAX_DEVICES_POLICY: ' Reject ' }).deviceCap, { max: 10, policy: 'reject' });
    assert.deepEqual(config({ MAX_DEVICES: '1', MAX_DEVICES_POLICY: 'oldest' }).deviceCap, { max: 1, policy: 'evictOldest' });
    assert.equal(config({ MAX_DEVICES: 'off' }).deviceCap, null);
    assert.equal(config({ MAX_DEVICES: 'OFF' }).deviceCap, null);
  });

  it('refuse anything else with a message naming the variable and its values', () => {
    for (const value of ['0', '-1', '2.5', '1e3', '1001', '01', 'ten', 'none']) {
      assert.throws(
        () => config({ MAX_DEVICES: value }),
        (error: unknown) => error instanceof ConfigError && /^MAX_DEVICES must be a number of devices from 1 to 1000, or off; got /.test(error.message),
        value,
      );
    }
    for (const value of ['newest', 'evictOldest', 'refuse', '1']) {
      assert.throws(() => config({ MAX_DEVICES_POLICY: value }), /^ConfigError: MAX_DEVICES_POLICY must be oldest .*, idlest .* or reject/, value);
    }
    assert.throws(() => config({ MAX_DEVICES: 'off', MAX_DEVICES_POLICY: 'reject' }), /MAX_DEVICES_POLICY needs a cap: MAX_DEVICES is off/);
  });
});

describe('OTEL_TRACES', () => {
  it('is off by default; 1 or true turns tracing on; anything else stops the start-up', () => {
    assert.equal(config({}).tracing, false);
    assert.equal(config({ OTEL_TRACES: '0' }).tracing, false);
    assert.equal(config({ OTEL_TRACES: '1' }).tracing, true);
    assert.equal(config({ OTEL_TRACES: ' TRUE ' }).tracing, true);
    assert.throws(
      () => config({ OTEL_TRACES: 'yes' }),
      (error: unknown) => error instanceof ConfigError && /^OTEL_TRACES must be 1/.test(error.message),
    );
  });
});

describe('SQLITE_DRIVER', () => {
  it('is automatic by default; names node:sqlite or better-sqlite3; anything else stops the start-up', () => {
    assert.equal(config({}).sqliteDriver, null);
    assert.equal(config({ SQLITE_DRIVER: 'node:sqlite' }).sqliteDriver, 'node:sqlite');
    assert.equal(config({ SQLITE_DRIVER: ' better-sqlite3 ' }).sqliteDriver, 'better-sqlite3');
    assert.throws(
      () => config({ SQLITE_DRIVER: 'sqlite3' }),
      (error: unknown) => error instanceof ConfigError && /^SQLITE_DRIVER must be node:sqlite or better-sqlite3/.test(error.message),
    );
  });
});

describe('throttle configuration', () => {
  it('defaults to DEFAULT_THROTTLES, and reads tiers limit/window or off', () => {
    assert.deepEqual(config({}).throttles, DEFAULT_THROTTLES);
    assert.equal(describeThrottle(DEFAULT_THROTTLES.loginAccountAddress), '5/1m,20/1h');
    const read = config({
      THROTTLE_LOGIN_ADDRESS: ' 100/1m , 1000/1d ',
      THROTTLE_LOGIN_ACCOUNT_ADDRESS: '3/30s',
      THROTTLE_LOGIN_ACCOUNT: 'OFF',
      THROTTLE_REGISTER_ADDRESS: '',
      THROTTLE_REFRESH_ADDRESS: '600/1h',
    }).throttles;
    assert.deepEqual(read, {
      loginAddress: [
        { limit: 100, windowMs: 60_000 },
        { limit: 1000, windowMs: 86_400_000 },
      ],
      loginAccountAddress: [{ limit: 3, windowMs: 30_000 }],
      loginAccount: null,
      registerAddress: DEFAULT_THROTTLES.registerAddress,
      refreshAddress: [{ limit: 600, windowMs: 3_600_000 }],
      newSessions: DEFAULT_THROTTLES.newSessions,
    });
    assert.equal(config({ THROTTLE_NEW_SESSIONS: 'off' }).throttles.newSessions, null);
  });

  it('refuses what cannot be a limit, naming the variable, the problem and the default', () => {
    for (const [name, value, problem] of [
      ['THROTTLE_LOGIN_ADDRESS', '30', /"30" is not limit\/window/],
      ['THROTTLE_LOGIN_ACCOUNT', '5/1m,', /"" is not limit\/window/],
      ['THROTTLE_REGISTER_ADDRESS', '5 per minute', /is not limit\/window/],
      ['THROTTLE_REFRESH_ADDRESS', '0/1m', /limit of tier 1 must be a positive integer/],
      ['THROTTLE_LOGIN_ACCOUNT_ADDRESS', '5000/1s', /finest rate is one hit per ms/],
      ['THROTTLE_LOGIN_ACCOUNT_ADDRESS', '1/2000d', /between 1 and one year/],
      ['THROTTLE_LOGIN_ADDRESS', '1/1m,2/1m,3/1m,4/1m,5/1m,6/1m,7/1m,8/1m,9/1m', /9 tiers; at most 8/],
    ] as const) {
      assert.throws(
        () => config({ [name]: value }),
        (error) =>
          error instanceof ConfigError &&
          error.message.startsWith(`${name} must be tiers limit/window`) &&
          problem.test(error.message) &&
          /Unset it for the default, \d+\//.test(error.message),
        `${name}=${value}`,
      );
    }
  });
});
