// The Fetch driver with the runtime's own Request and Response: answers as Responses, a form's
// CSRF token read on demand, the commit's headers on the handler's response (copied when it
// is immutable), and the handler's errors answered or rethrown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager, SessionStoreError } from 'coatcheck';
import type { SessionStore } from 'coatcheck/store-kit';
import { memoryStore } from 'coatcheck/memory';
import { answerResponse, beginFetch, createHttpPolicy, endFetch, nodeConnection, runFetch, type HttpTransaction } from 'coatcheck/adapter';

const SECRET = 'fetch-driver-secret-1c5e9a3f7b2d6e0a4c8f';
const SAME = { 'sec-fetch-site': 'same-origin' } as const;

function policy(options: { mode?: 'standard' | 'strict'; store?: SessionStore } = {}) {
  const manager = createSessionManager({
    store: options.store ?? memoryStore({ sweepIntervalMs: 0, quiet: true }),
    secrets: [SECRET],
    production: false,
    csrf: { mode: options.mode ?? 'standard' },
    logger: { warn() {}, error() {} },
  });
  return { manager, policy: createHttpPolicy({ manager, cors: { origins: ['https://app.test'] } }) };
}

const post = (headers: Record<string, string>, body?: string | URLSearchParams) => new Request('https://shop.test/cart', { method: 'POST', headers, body });

async function loggedIn(manager: ReturnType<typeof policy>['manager']) {
  const session = await manager.load({ secure: true });
  await session.login('alice');
  return { cookie: ((await session.commit())[0] as string).split(';')[0] as string, token: await session.csrfToken() };
}

describe('the Fetch driver', () => {
  it('answerResponse: status, headers and body; a 204 has no body', async () => {
    const res = answerResponse({ status: 403, headers: { 'content-type': 'application/json' }, body: '{"error":{}}' });
    assert.deepEqual([res.status, res.headers.get('content-type'), await res.text()], [403, 'application/json', '{"error":{}}']);
    assert.equal(answerResponse({ status: 204, headers: {}, body: '' }).body, null);
  });

  it('CO-01 CS-01 beginFetch answers a preflight and a cross-site post as Responses', async () => {
    const { policy: p } = policy();
    const preflight = await beginFetch(
      p,
      new Request('https://shop.test/cart', { method: 'OPTIONS', headers: { origin: 'https://app.test', 'access-control-request-method': 'POST' } }),
    );
    assert.ok(preflight instanceof Response);
    assert.equal(preflight.status, 204);
    const refused = await beginFetch(p, post({ origin: 'https://evil.example' }));
    assert.ok(refused instanceof Response);
    assert.equal(refused.status, 403);
  });

  it('CS-15 strict mode: the token is read from a clone of a form, or through readField; a JSON body or an unreadable form has none', async () => {
    const { manager, policy: p } = policy({ mode: 'strict' });
    const { cookie, token } = await loggedIn(manager);
    const form = () => post({ cookie, 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ _csrf: token }));
    const request = form();
    const tx = await beginFetch(p, request);
    assert.ok(!(tx instanceof Response), 'token read from a clone');
    assert.equal((await request.formData()).get('_csrf'), token, 'the body is left for the handler');
    const asked: string[] = [];
    const viaField = await beginFetch(p, form(), { readField: async (name) => (asked.push(name), token) });
    assert.ok(!(viaField instanceof Response));
    assert.deepEqual(asked, ['_csrf']);
    for (const other of [
      post({ cookie, 'content-type': 'application/json' }, JSON.stringify({ _csrf: token })),
      post({ cookie, 'content-type': 'application/x-www-form-urlencoded' }, 'x'),
    ]) {
      const res = await beginFetch(p, other, { readField: () => Promise.reject(new Error('unreadable')) });
      assert.ok(res instanceof Response);
      assert.equal(res.status, 403);
    }
  });

  it('endFetch adds the cookie to the response, to a copy when its headers are immutable, and answers a session error instead', async () => {
    const { policy: p } = policy();
    const begin = async () => (await beginFetch(p, post(SAME))) as HttpTransaction<any>;
    const tx = await begin();
    tx.session.set('cart', ['apple']);
    const redirect = Response.redirect('https://shop.test/', 303);
    const ended = await endFetch(tx, redirect);
    assert.notEqual(ended, redirect);
    assert.deepEqual([ended.status, ended.headers.getSetCookie().length], [303, 1]);
    const plain = new Response('ok');
    assert.equal(await endFetch(await begin(), plain), plain);
    const failed = await endFetch(await begin(), new Response('ok'), new SessionStoreError('redis', 'ECONNREFUSED 10.1.2.3'));
    assert.equal(failed.status, 503);
    assert.doesNotMatch(await failed.text(), /ECONNREFUSED/);
  });

  it('runFetch: a session error the handler throws is answered, any other error is rethrown, a failed commit answers 503', async () => {
    const inner = memoryStore({ sweepIntervalMs: 0, quiet: true });
    const { policy: p } = policy({ store: { ...inner, name: 'down', create: () => Promise.reject(new Error('ECONNREFUSED')) } });
    const thrown = await runFetch(p, post(SAME), () => {
      throw new SessionStoreError('redis', 'down');
    });
    assert.equal(thrown.status, 503);
    await assert.rejects(
      runFetch(p, post(SAME), () => {
        throw new RangeError('app bug');
      }),
      RangeError,
    );
    const commit = await runFetch(p, post(SAME), (session) => (session.set('cart', ['x']), new Response('ok')));
    assert.equal(commit.status, 503);
    assert.deepEqual(commit.headers.getSetCookie(), []);
  });

  it('nodeConnection: the peer, TLS and raw headers of the Node request behind a Fetch request', () => {
    assert.deepEqual(nodeConnection({ socket: { remoteAddress: '10.0.0.1', encrypted: true }, rawHeaders: ['Host', 'x'] }), {
      peer: '10.0.0.1',
      tls: true,
      rawHeaders: ['Host', 'x'],
    });
    assert.deepEqual(nodeConnection(undefined), {});
  });
});
