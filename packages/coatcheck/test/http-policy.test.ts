// The core's HTTP policy without a framework: proxy trust, the insecure-cookie guard, CORS
// configuration, error answers. The adapter suite runs the same policy through every adapter.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager, SessionConfigError, SessionStoreError, type Logger } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { createCors, createHttpPolicy, createProxyTrust, fetchRequest, INSECURE_COOKIE_WARNING, isAnswer, publicMessage } from 'coatcheck/adapter';

const SECRET = 'http-policy-secret-0123456789abcdef0123';
const view = (headers: Record<string, string>, peer: string | null = '10.0.0.2', tls = false) => ({ tls, peer, header: (name: string) => headers[name] });

describe('proxy trust', () => {
  it('PT-01 nobody trusted by default: X-Forwarded-Proto and Forwarded are ignored, the peer is the client', () => {
    const trust = createProxyTrust();
    assert.deepEqual(trust(view({ 'x-forwarded-proto': 'https', 'x-forwarded-for': '1.2.3.4' })), { secure: false, ip: '10.0.0.2', untrustedHttps: true });
    assert.equal(trust(view({}, '10.0.0.2', true)).secure, true);
  });

  it("PT-02 hop counts take the outermost trusted hop's scheme and the first untrusted address", () => {
    const one = createProxyTrust(1);
    assert.deepEqual(one(view({ 'x-forwarded-proto': 'https', 'x-forwarded-for': '1.2.3.4' })), { secure: true, ip: '1.2.3.4', untrustedHttps: false });
    assert.equal(one(view({ 'x-forwarded-proto': 'https, http' })).secure, false);
    const two = createProxyTrust(2);
    assert.deepEqual(two(view({ 'x-forwarded-proto': 'https, http', 'x-forwarded-for': '1.2.3.4, 10.0.0.1' })), {
      secure: true,
      ip: '1.2.3.4',
      untrustedHttps: false,
    });
  });

  it('PT-02 address lists: IPv4 and IPv6 CIDRs, IPv4-mapped peers, named ranges; bad entries fail at start-up', () => {
    const list = createProxyTrust(['10.0.0.0/8', '2001:db8::/32']);
    assert.equal(list(view({ 'x-forwarded-proto': 'https' }, '::ffff:10.1.2.3')).secure, true);
    assert.equal(list(view({ 'x-forwarded-proto': 'https' }, '2001:db8::7')).secure, true);
    assert.equal(list(view({ 'x-forwarded-proto': 'https' }, '192.168.1.1')).secure, false);
    assert.equal(list(view({ 'x-forwarded-proto': 'https' }, null)).secure, false);
    assert.equal(createProxyTrust('loopback')(view({ 'x-forwarded-proto': 'https' }, '127.0.0.1')).secure, true);
    for (const bad of [['10.0.0.0/33'], ['not-an-ip'], -1]) assert.throws(() => createProxyTrust(bad as never), SessionConfigError);
  });

  it('PT-03 Forwarded (RFC 7239) is used instead of X-Forwarded-*, with quoted and bracketed nodes', () => {
    const two = createProxyTrust(['10.0.0.0/8']);
    const seen = two(view({ forwarded: 'for="[2001:db8::1]:4711";proto=https, for=10.0.0.9;proto=http', 'x-forwarded-proto': 'http' }));
    assert.deepEqual(seen, { secure: true, ip: '2001:db8::1', untrustedHttps: false });
  });
});

describe('the insecure-cookie guard', () => {
  it(`PT-04 a plain-HTTP request claiming HTTPS from an untrusted hop logs ${INSECURE_COOKIE_WARNING} once, through the manager's logger`, async () => {
    const warnings: string[] = [];
    const logger: Logger = { warn: (message) => void warnings.push(message), error() {} };
    const manager = createSessionManager({ store: memoryStore({ quiet: true }), secrets: [SECRET], production: false, logger });
    const policy = createHttpPolicy({ manager });
    for (let i = 0; i < 3; i++) {
      const tx = await policy.begin(fetchRequest(new Request('http://shop.test/', { headers: { forwarded: 'for=1.2.3.4;proto=https' } })));
      assert.ok(!isAnswer(tx));
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, /COATCHECK_W012/);
    assert.match(warnings[0] as string, /trustProxy/);
    assert.match(warnings[0] as string, /secure: true/);
    await policy.begin(fetchRequest(new Request('http://shop.test/', { headers: { 'x-forwarded-proto': 'https' } })));
    assert.equal(warnings.length, 1);
  });
});

describe('the policy logger', () => {
  it("an adapter's logger without warn gets the errors; the warnings still reach the manager's logger", async () => {
    const managerLog: string[] = [];
    const adapterErrors: string[] = [];
    const manager = createSessionManager({
      store: memoryStore({ quiet: true }),
      secrets: [SECRET],
      production: false,
      logger: { warn: (message) => void managerLog.push(`warn ${message}`), error: (message) => void managerLog.push(`error ${message}`) },
    });
    const policy = createHttpPolicy({ manager, logger: { error: (message) => void adapterErrors.push(message) } });
    await policy.begin(fetchRequest(new Request('http://shop.test/', { headers: { 'x-forwarded-proto': 'https' } })));
    assert.equal(policy.answerError(new SessionStoreError('redis', 'down'))?.status, 503);
    assert.deepEqual(adapterErrors, ['coatcheck: session error']);
    assert.equal(managerLog.length, 1);
    assert.match(managerLog[0] as string, /^warn COATCHECK_W012/);
  });
});

describe('answers', () => {
  it('ER-01 one rule for what a client may read', () => {
    assert.equal(publicMessage(new SessionStoreError('redis', 'ECONNREFUSED 10.0.0.1')), 'The session store is unavailable; try again shortly.');
    assert.equal(publicMessage(new SessionConfigError('secret detail')), 'Something went wrong on our side.');
    assert.equal(publicMessage({ code: 'ERR_X', message: 'Fix the form.', statusCode: 400 }), 'Fix the form.');
  });

  it('CO-05 CORS options are checked at start-up: exact origins only, never *', () => {
    for (const origins of [['*'], ['https://*.app.test'], ['https://app.test/'], ['https://app.test/path'], ['null'], 'https://app.test']) {
      assert.throws(() => createCors({ origins: origins as never }, null), SessionConfigError, String(origins));
    }
    const cors = createCors({ origins: ['https://APP.test:443'] }, 'x-csrf-token');
    assert.equal(cors.headersFor('https://app.test')['access-control-allow-origin'], 'https://app.test');
  });
});
