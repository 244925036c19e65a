// CSRF protection, identical on every adapter. (CS-*)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BARE, buildHarness, cookiePair, HTTPS, OWN_ORIGIN, type AppFactory, type Harness } from '../harness.js';
import type { SuiteResponse } from '../client.js';

const EVIL = 'https://evil.example';
/** `csrf.mode: 'strict'`: a cookie request with neither Origin nor Sec-Fetch-Site needs the token. */
const STRICT = { csrf: { mode: 'strict' } } as const;

function assertRefused(res: SuiteResponse, reason: string): void {
  assert.equal(res.status, 403, `${reason}: ${res.body}`);
  assert.equal(res.json().error.code, 'ERR_SESSION_CSRF', reason);
  assert.equal(typeof res.json().error.message, 'string');
  assert.deepEqual(res.cookies, [], reason);
}

/** A logged-in browser: its cookie, and a way to read its cart. */
async function loggedIn({ app }: Harness) {
  const cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS, json: { user: 'alice' } }));
  const cart = async () => (await app.request({ path: '/me', headers: { ...HTTPS, cookie } })).json().cart as string[];
  const token = async () => (await app.request({ path: '/csrf', headers: { ...HTTPS, cookie } })).json().token as string;
  return { cookie, cart, token };
}

export function csrfScenarios(factory: AppFactory): void {
  describe('CSRF: where the request comes from', () => {
    it('CS-01 a cross-site form post with a valid cookie is refused as urlencoded, multipart and text/plain', async () => {
      const h = await buildHarness(factory);
      const { cookie, cart } = await loggedIn(h);
      const bodies = [
        { 'content-type': 'application/x-www-form-urlencoded', body: 'item=stolen' },
        { 'content-type': 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="item"\r\n\r\nstolen\r\n--x--\r\n' },
        { 'content-type': 'text/plain', body: '{"item":"stolen"}' },
      ];
      for (const { body, ...type } of bodies) {
        const headers = { ...BARE, ...type, cookie, origin: EVIL, 'sec-fetch-site': 'cross-site' };
        assertRefused(await h.app.request({ method: 'POST', path: '/cart', headers, body }), type['content-type']);
        assertRefused(
          await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, ...type, cookie, origin: EVIL }, body }),
          `${type['content-type']} without Fetch Metadata`,
        );
      }
      assert.deepEqual(await cart(), []);
    });

    it('CS-05 a cross-site login post is refused and logs nobody in', async () => {
      const h = await buildHarness(factory);
      const res = await h.app.request({
        method: 'POST',
        path: '/login',
        headers: { ...BARE, origin: EVIL, 'sec-fetch-site': 'cross-site' },
        json: { user: 'mallory' },
      });
      assertRefused(res, 'login');
      assert.equal(h.store.counts.create, 0);
    });

    it('CS-06 Sec-Fetch-Site: cross-site and same-site are refused, same-origin and trusted siblings pass', async () => {
      const h = await buildHarness(factory);
      const { cookie, cart } = await loggedIn(h);
      const post = (site: string, origin: string) =>
        h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie, origin, 'sec-fetch-site': site }, json: { item: site } });
      assertRefused(await post('cross-site', EVIL), 'cross-site');
      assertRefused(await post('same-site', 'https://blog.shop.test'), 'same-site');
      assertRefused(await post('bogus', OWN_ORIGIN), 'unknown value');
      assert.equal((await post('same-origin', OWN_ORIGIN)).status, 200);
      assert.deepEqual(await cart(), ['same-origin']);

      const trusting = await buildHarness(factory, { csrf: { trustedOrigins: ['https://admin.shop.test'] } });
      const session = await loggedIn(trusting);
      const sibling = await trusting.app.request({
        method: 'POST',
        path: '/cart',
        headers: { ...BARE, cookie: session.cookie, origin: 'https://admin.shop.test', 'sec-fetch-site': 'same-site' },
        json: { item: 'admin' },
      });
      assert.equal(sibling.status, 200, sibling.body);
      assert.deepEqual(await session.cart(), ['admin']);
    });

    it('CS-07 without Fetch Metadata the Origin must match exactly; null and look-alikes are refused', async () => {
      const h = await buildHarness(factory, { csrf: { trustedOrigins: ['https://app.example.com'] } });
      const { cookie, cart } = await loggedIn(h);
      for (const origin of [
        'null',
        'https://app.example.com.evil.com',
        'https://evil-app.example.com',
        'http://shop.test',
        'https://shop.test.evil.com',
        'https://app.example.com:444',
      ]) {
        assertRefused(await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie, origin }, json: { item: origin } }), origin);
      }
      assert.equal(
        (await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie, origin: OWN_ORIGIN }, json: { item: 'own' } })).status,
        200,
      );
      assert.equal(
        (await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie, origin: 'https://app.example.com' }, json: { item: 'trusted' } }))
          .status,
        200,
      );
      assert.deepEqual(await cart(), ['own', 'trusted']);
    });

    it('CS-14 standard mode: a cookie POST with neither Origin nor Sec-Fetch-Site (a script with a cookie jar) passes', async () => {
      const h = await buildHarness(factory);
      const { cookie, cart } = await loggedIn(h);
      const json = await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie }, json: { item: 'script' } });
      assert.equal(json.status, 200, json.body);
      const form = await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie }, form: { item: 'form' } });
      assert.equal(form.status, 200, form.body);
      assert.deepEqual(await cart(), ['script', 'form']);
    });

    it('CS-15 strict mode: the same header-less cookie POST is refused with 403 ERR_SESSION_CSRF (token-missing)', async () => {
      const h = await buildHarness(factory, STRICT);
      const { cookie, cart } = await loggedIn(h);
      const res = await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie }, json: { item: 'script' } });
      assertRefused(res, 'no Origin, no Sec-Fetch-Site, no token');
      assert.match(res.json().error.message, /^CSRF token missing: .*csrf\.mode is 'strict'.*x-csrf-token header/);
      // Without a live cookie there is nothing to forge with, so strict mode lets it through.
      assert.equal((await h.app.request({ method: 'POST', path: '/cart', headers: BARE, json: { item: 'anonymous' } })).status, 200);
      // The headers still decide for browsers: same-origin needs no token.
      assert.equal((await h.app.request({ method: 'POST', path: '/cart', headers: { ...HTTPS, cookie }, json: { item: 'fetch' } })).status, 200);
      assert.deepEqual(await cart(), ['fetch']);
    });

    it('CS-08 safe methods never change state; odd-case methods are still checked or rejected', async () => {
      const h = await buildHarness(factory);
      const { cookie, cart } = await loggedIn(h);
      const get = await h.app.request({
        path: '/me',
        headers: { ...BARE, cookie, origin: EVIL, 'sec-fetch-site': 'cross-site', 'x-http-method-override': 'POST' },
      });
      assert.equal(get.status, 200);
      const odd = await h.app.request({
        method: 'PoSt',
        path: '/cart',
        headers: { ...BARE, cookie, origin: EVIL, 'sec-fetch-site': 'cross-site' },
        json: { item: 'odd' },
      });
      assert.ok(odd.status >= 400 && odd.status < 500, `PoSt: ${odd.status}`);
      assert.deepEqual(await cart(), []);
    });

    it('CS-13 cross-site logout does not log the user out', async () => {
      const h = await buildHarness(factory);
      const { cookie } = await loggedIn(h);
      assertRefused(
        await h.app.request({ method: 'POST', path: '/logout', headers: { ...BARE, cookie, origin: EVIL, 'sec-fetch-site': 'cross-site' } }),
        'logout',
      );
      assertRefused(await h.app.request({ method: 'POST', path: '/logout', headers: { ...BARE, cookie, origin: EVIL } }), 'logout from an old browser');
      assert.equal((await h.app.request({ path: '/me', headers: { ...HTTPS, cookie } })).json().userId, 'alice');
      const strict = await buildHarness(factory, STRICT);
      const other = await loggedIn(strict);
      assertRefused(await strict.app.request({ method: 'POST', path: '/logout', headers: { ...BARE, cookie: other.cookie } }), 'strict: logout without token');
      assert.equal((await strict.app.request({ path: '/me', headers: { ...HTTPS, cookie: other.cookie } })).json().userId, 'alice');
    });

    it('same-origin fetches and bearer requests pass; a bearer header does not exempt a cookie', async () => {
      const h = await buildHarness(factory);
      const { cookie, cart } = await loggedIn(h);
      assert.equal((await h.app.request({ method: 'POST', path: '/cart', headers: { ...HTTPS, cookie }, json: { item: 'fetch' } })).status, 200);
      const bearer = await h.app.request({
        method: 'POST',
        path: '/cart',
        headers: { ...BARE, authorization: 'Bearer abc', origin: EVIL, 'sec-fetch-site': 'cross-site' },
        json: { item: 'x' },
      });
      assert.equal(bearer.status, 200, bearer.body);
      assertRefused(
        await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie, authorization: 'Bearer abc', origin: EVIL }, json: { item: 'both' } }),
        'bearer plus cookie',
      );
      assert.deepEqual(await cart(), ['fetch']);
    });

    it('csrf: false turns the checks off', async () => {
      const h = await buildHarness(factory, { csrf: false });
      const { cookie, cart } = await loggedIn(h);
      assert.equal((await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie, origin: EVIL }, json: { item: 'x' } })).status, 200);
      assert.deepEqual(await cart(), ['x']);
    });
  });

  // The token decides only in strict mode, for a cookie request with neither header.
  describe('CSRF: the synchronizer token (strict mode)', () => {
    it('CS-15 a form post without Origin or Fetch Metadata passes with the session token, in the field or the header', async () => {
      const h = await buildHarness(factory, STRICT);
      const { cookie, cart, token } = await loggedIn(h);
      const form = await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie }, form: { item: 'form', _csrf: await token() } });
      assert.equal(form.status, 200, form.body);
      const header = await h.app.request({
        method: 'POST',
        path: '/cart',
        headers: { ...BARE, cookie, 'x-csrf-token': await token() },
        json: { item: 'header' },
      });
      assert.equal(header.status, 200, header.body);
      assert.deepEqual(await cart(), ['form', 'header']);
    });

    it("CS-02 session A's token with session B's cookie is refused; forged and missing tokens too", async () => {
      const h = await buildHarness(factory, STRICT);
      const victim = await loggedIn(h);
      const attacker = await loggedIn(h);
      const stolen = await attacker.token();
      const last = stolen.at(-1) === 'A' ? 'B' : 'A';
      for (const token of [stolen, `${stolen.slice(0, -1)}${last}`, '', 'x', stolen.slice(0, 43), `${stolen}A`, '%'.repeat(86)]) {
        assertRefused(
          await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie: victim.cookie }, form: { item: 'x', _csrf: token } }),
          `token ${JSON.stringify(token.slice(0, 12))}`,
        );
      }
      assertRefused(await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie: victim.cookie }, form: { item: 'x' } }), 'missing');
      assert.deepEqual(await victim.cart(), []);
    });

    it('CS-03 a planted double-submit cookie with a matching header value is refused: the token is bound to the session', async () => {
      const h = await buildHarness(factory, STRICT);
      const victim = await loggedIn(h);
      const attacker = await loggedIn(h);
      const planted = await attacker.token();
      const cookie = `_csrf=${planted}; csrf-token=${planted}; ${victim.cookie}`;
      const res = await h.app.request({
        method: 'POST',
        path: '/cart',
        headers: { ...BARE, cookie, 'x-csrf-token': planted },
        form: { item: 'x', _csrf: planted },
      });
      assertRefused(res, 'planted');
      assert.deepEqual(await victim.cart(), []);
    });

    it('CS-04 a pre-login token dies at login and a token dies at logout; login gives a fresh one', async () => {
      const h = await buildHarness(factory, STRICT);
      const anon = cookiePair(await h.app.request({ method: 'POST', path: '/cart', headers: HTTPS, json: { item: 'apple' } }));
      const before = (await h.app.request({ path: '/csrf', headers: { ...HTTPS, cookie: anon } })).json().token as string;
      assert.equal(
        (await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie: anon, 'x-csrf-token': before }, json: { item: 'pear' } })).status,
        200,
      );
      const authed = cookiePair(await h.app.request({ method: 'POST', path: '/login', headers: { ...HTTPS, cookie: anon } }));
      assertRefused(
        await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie: authed, 'x-csrf-token': before }, json: { item: 'x' } }),
        'pre-login token',
      );
      const after = (await h.app.request({ path: '/csrf', headers: { ...HTTPS, cookie: authed } })).json().token as string;
      assert.equal(
        (await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie: authed, 'x-csrf-token': after }, json: { item: 'kiwi' } })).status,
        200,
      );
      await h.app.request({ method: 'POST', path: '/logout', headers: { ...HTTPS, cookie: authed } });
      const fresh = cookiePair(await h.app.request({ method: 'POST', path: '/cart', headers: HTTPS, json: { item: 'y' } }));
      assertRefused(
        await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie: fresh, 'x-csrf-token': after }, json: { item: 'x' } }),
        'post-logout token',
      );
    });

    it('CS-11 tokens are masked: two renders differ and both validate; asking creates no cookie for a live session', async () => {
      const h = await buildHarness(factory, STRICT);
      const { cookie, token } = await loggedIn(h);
      const [first, second] = [await token(), await token()];
      assert.notEqual(first, second);
      assert.match(first, /^[A-Za-z0-9_-]{86}$/);
      for (const t of [first, second]) {
        assert.equal(
          (await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie, 'x-csrf-token': t }, json: { item: 'x' } })).status,
          200,
        );
      }
      const asked = await h.app.request({ path: '/csrf', headers: { ...HTTPS, cookie } });
      assert.deepEqual(asked.cookies, []);
    });

    it('a token asked for by a visitor without a session creates the session it is bound to', async () => {
      const h = await buildHarness(factory, STRICT);
      const res = await h.app.request({ path: '/csrf', headers: HTTPS });
      const cookie = cookiePair(res);
      const post = await h.app.request({ method: 'POST', path: '/cart', headers: { ...BARE, cookie }, form: { item: 'first', _csrf: res.json().token } });
      assert.equal(post.status, 200, post.body);
    });
  });
}
