// AP-04: every response of the shop carries the security headers (JSON, errors, 404s, the
// page and its assets), the page's CSP allows only this origin and no framing, and HSTS is
// sent over HTTPS only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { createShop, useTempDir } from './helpers.js';

const path = useTempDir();

function assertHardened(res: LightMyRequestResponse, what: string): void {
  assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(res.headers['referrer-policy'], 'strict-origin-when-cross-origin', what);
  assert.equal(res.headers['x-frame-options'], 'DENY', what);
  const csp = String(res.headers['content-security-policy']);
  for (const directive of ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) {
    assert.ok(csp.split('; ').includes(directive), `${what}: ${directive} in ${csp}`);
  }
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|https:|http:/, what);
}

/** A stand-in for the Vite build: an index page and one hashed asset. */
function fakeBuild(): string {
  const root = path('dist');
  mkdirSync(`${root}/assets`, { recursive: true });
  writeFileSync(`${root}/index.html`, '<!doctype html><div id="root"></div><script type="module" src="/assets/index-abc.js"></script>');
  writeFileSync(`${root}/assets/index-abc.js`, 'console.log(1)');
  return root;
}

describe('security headers', () => {
  it('AP-04 every kind of response carries nosniff, the CSP, Referrer-Policy and X-Frame-Options; HSTS not over HTTP', async () => {
    const { app } = await createShop({ app: { web: fakeBuild() } });
    const responses: [string, LightMyRequestResponse][] = [
      ['the page', await app.inject({ url: '/' })],
      ['an asset', await app.inject({ url: '/assets/index-abc.js' })],
      ['JSON', await app.inject({ url: '/items' })],
      ['a 401', await app.inject({ url: '/profile' })],
      ['a 404', await app.inject({ url: '/no/such/route' })],
      ['a 422', await app.inject({ method: 'POST', url: '/login', payload: { username: 1 } })],
      ['bad JSON', await app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/json' }, payload: '{' })],
      ['a router error', await app.inject({ url: '/sessions/%E0%A4%A' })],
      ['health', await app.inject({ url: '/health' })],
    ];
    assert.equal(responses[0]?.[1].statusCode, 200);
    assert.match(String(responses[0]?.[1].headers['content-type']), /text\/html/);
    for (const [what, res] of responses) {
      assertHardened(res, `${what} (${res.statusCode})`);
      assert.equal(res.headers['strict-transport-security'], undefined, `${what}: no HSTS over plain HTTP`);
    }
    // The page keeps its caching rule next to the security headers.
    assert.equal(responses[0]?.[1].headers['cache-control'], 'no-cache');
  });

  it('AP-04 HSTS for a year over HTTPS, as told by a trusted proxy only', async () => {
    const trusted = await createShop({ app: { trustProxy: true } });
    const https = await trusted.app.inject({ url: '/items', headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(https.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    const plain = await trusted.app.inject({ url: '/items', headers: { 'x-forwarded-proto': 'http' } });
    assert.equal(plain.headers['strict-transport-security'], undefined);
    // Without trustProxy, anyone could claim HTTPS; the header is not sent on their word.
    const untrusted = await createShop();
    const claimed = await untrusted.app.inject({ url: '/items', headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(claimed.headers['strict-transport-security'], undefined);
  });

  it('AP-04 a route with its own policy keeps it: Swagger UI at /docs', async () => {
    const { app } = await createShop();
    const docs = await app.inject({ url: '/docs/' });
    assert.match(String(docs.headers['content-security-policy']), /style-src 'self' 'unsafe-inline'/);
    assert.equal(docs.headers['x-content-type-options'], 'nosniff');
  });
});
