import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { resolveCookieOptions } from '../src/cookie/cookie-options.js';
import { readCookie } from '../src/cookie/read-cookie.js';
import { serializeClearCookie, serializeCookie } from '../src/cookie/serialize-cookie.js';
import { resolveLifetime } from '../src/session/lifetime.js';
import { SessionConfigError } from '../src/errors.js';

describe('cookie configuration', () => {
  it('CK-04 combinations browsers would silently drop fail at start-up with a fix in the message', () => {
    const cases = [
      [{ domain: 'example.com' }, /cannot have a domain/],
      [{ path: '/app' }, /must have path "\/"/],
      [{ secure: false }, /must be Secure/],
      [{ name: '__Secure-sid', secure: false }, /must be Secure/],
      [{ name: 'sid', sameSite: 'none', secure: false }, /requires secure: true/],
      [{ name: 'sid', sameSite: 'none' }, /requires secure: true/],
      [{ partitioned: true }, /partitioned requires secure: true and sameSite: "none"/],
      [{ partitioned: true, secure: true }, /partitioned requires secure: true and sameSite: "none"/],
      [{ partitioned: true, sameSite: 'strict', secure: true }, /partitioned requires secure: true and sameSite: "none"/],
      [{ name: 'sid', partitioned: true, sameSite: 'none', secure: false }, /requires secure: true/],
      [{ partitioned: 'yes' as unknown as boolean }, /partitioned must be a boolean/],
    ] as const;
    for (const [options, message] of cases) {
      assert.throws(
        () => resolveCookieOptions(options, false),
        (e: unknown) => e instanceof SessionConfigError && message.test(e.message),
      );
    }
    assert.doesNotThrow(() => resolveCookieOptions({ name: '__Secure-sid', path: '/app', domain: 'example.com' }, true));
    assert.doesNotThrow(() => resolveCookieOptions({ name: 'sid', sameSite: 'none', secure: true }, true));
  });

  it('CK-18 partitioned adds Partitioned to the cookie and to the cookie that clears it, and never makes a plain-HTTP variant', () => {
    const resolved = resolveCookieOptions({ partitioned: true, secure: true, sameSite: 'none' }, false);
    assert.equal(resolved.insecure, null, 'secure: true means no development cookie without Secure');
    const { name, attributes } = resolved.secure;
    assert.equal(serializeCookie(name, 'v', attributes), '__Host-sid=v; Path=/; HttpOnly; Secure; SameSite=None; Partitioned');
    assert.equal(
      serializeClearCookie(name, attributes),
      '__Host-sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None; Partitioned',
    );
    const plain = resolveCookieOptions({ partitioned: false, secure: true, sameSite: 'none' }, false).secure;
    assert.equal(
      serializeClearCookie(plain.name, plain.attributes),
      '__Host-sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None',
    );
  });

  it('CK-14 names, paths and domains that could inject attributes are refused', () => {
    for (const name of ['a;b', 'a,b', 'a=b', 'a b', 'a\r\nb', 'sïd', '']) {
      assert.throws(() => resolveCookieOptions({ name }, false), SessionConfigError, JSON.stringify(name));
    }
    for (const path of ['/a;b', '/a\nb', 'relative', '/é']) {
      assert.throws(() => resolveCookieOptions({ name: 'sid', path }, false), SessionConfigError, JSON.stringify(path));
    }
    for (const domain of ['a;b.com', 'a b.com', 'ex\r\nample.com']) {
      assert.throws(() => resolveCookieOptions({ name: 'sid', domain }, false), SessionConfigError, JSON.stringify(domain));
    }
  });

  it('CK-06 lifetimes are whole seconds, at most 400 days, idle never above absolute', () => {
    for (const bad of [1.5, 0, -1, 500 * 86400, Number.NaN]) {
      assert.throws(() => resolveLifetime({ rememberAbsoluteTimeout: bad }), SessionConfigError, String(bad));
    }
    assert.throws(() => resolveLifetime({ idleTimeout: 7200, absoluteTimeout: 3600 }), SessionConfigError);
    assert.equal(resolveLifetime({ rememberAbsoluteTimeout: 400 * 86400 }).rememberAbsoluteMs, 400 * 86400 * 1000);
  });
});

describe('reading the Cookie header', () => {
  const attributes = { path: '/', domain: undefined, secure: true, httpOnly: true, sameSite: 'Lax' } as const;

  it('round-trips any token-safe value next to arbitrary other cookies', () => {
    const value = fc.stringMatching(/^[A-Za-z0-9._-]{1,120}$/);
    const other = fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[A-Za-z0-9]{0,20}$/)).filter(([n]) => n !== 'sid');
    fc.assert(
      fc.property(value, fc.array(other, { maxLength: 5 }), fc.nat(), (v, others, at) => {
        const pairs = others.map(([n, w]) => `${n}=${w}`);
        const own = serializeCookie('sid', v, attributes).split(';')[0] as string;
        pairs.splice(at % (pairs.length + 1), 0, own);
        const found = readCookie(pairs.join('; '), 'sid');
        return found.value === v && !found.duplicate;
      }),
    );
  });

  it('BI-05 reports duplicates instead of picking one', () => {
    assert.deepEqual(readCookie('sid=a; sid=b', 'sid'), { value: null, duplicate: true });
    assert.deepEqual(readCookie(['sid=a', 'sid=b'], 'sid'), { value: null, duplicate: true });
    assert.deepEqual(readCookie('xsid=a; sid=b', 'sid'), { value: 'b', duplicate: false });
  });

  it('BI-04 never throws on arbitrary headers', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (header) => typeof readCookie(header, 'sid').duplicate === 'boolean'));
  });
});
