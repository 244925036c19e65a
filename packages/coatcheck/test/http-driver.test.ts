// The driver every callback-style adapter runs, on a framework of a few lines over node:http:
// answers sent through the host, the session handed over, a form's CSRF token read at begin
// or after parsing, the commit's headers or answer at the end, and no promise where the
// policy answers synchronously.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionManager, type SessionManagerOptions } from 'coatcheck';
import type { SessionStore } from 'coatcheck/store-kit';
import { memoryStore } from 'coatcheck/memory';
import { memoryBus } from 'coatcheck/bus';
import {
  BODY_LATER,
  createDriver,
  createHttpPolicy,
  formBody,
  nodeRequest,
  UNREAD_FORM,
  type BearerAuthenticator,
  type DriveOptions,
  type DriverHost,
  type HttpPolicyOptions,
  type HttpTransaction,
} from 'coatcheck/adapter';
import { sendHttp, type SuiteRequest } from '@coatcheck/adapter-suite';

const SECRET = 'http-driver-secret-4f8a2c6e0b9d3f7a1c5e';
const HTTPS = { 'x-forwarded-proto': 'https' } as const;

/** One request of the test framework. `mode` says what `host.body` answers at begin. */
interface Context {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly mode: 'parsed' | 'later';
  tx: HttpTransaction<any> | null;
  parsed: unknown;
}

const host: DriverHost<Context> = {
  get: (c, name) => c.res.getHeader(name),
  set: (c, name, value) => void c.res.setHeader(name, value),
  appendCookies: (c, values) => void c.res.appendHeader('set-cookie', [...values]),
  start(c, tx) {
    c.tx = tx;
  },
  send(c, answer) {
    c.tx = null;
    c.res.writeHead(answer.status, answer.headers).end(answer.body);
  },
  body: (c) => (c.mode === 'later' ? BODY_LATER : formBody(c.req, c.parsed)),
  parsedBody: (c) => formBody(c.req, c.parsed),
  unreadForm: { fix: 'Parse the form before the session step (test framework).' },
};

/** Reads a urlencoded body into an object, as a body parser would. */
async function parseForm(req: IncomingMessage): Promise<Record<string, string>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return Object.fromEntries(new URLSearchParams(text));
}

interface Served {
  send(request: SuiteRequest): ReturnType<typeof sendHttp>;
  manager: ReturnType<typeof createSessionManager>;
}

/**
 * A server on the driver. `parse`: 'before' parses forms ahead of `begin`, 'after' between
 * `begin` and the handler (then `checkBody`), 'never' leaves them unread. Handlers: POST /cart
 * writes the session, GET /me reads it, GET /throw-next passes an error to `next`.
 */
async function serve(
  parse: 'before' | 'after' | 'never',
  policyOptions: Partial<HttpPolicyOptions<any>> = {},
  managerOptions: Partial<SessionManagerOptions> = {},
  routeOptions?: DriveOptions,
  store: SessionStore = memoryStore({ sweepIntervalMs: 0, quiet: true }),
): Promise<Served> {
  const manager = createSessionManager({ store, secrets: [SECRET], production: false, ...managerOptions });
  const driver = createDriver(createHttpPolicy({ manager, trustProxy: true, ...policyOptions }), host);
  /** The handler, once the session step let the request through. */
  async function handle(c: Context): Promise<void> {
    const { req, res } = c;
    if (parse === 'after' && req.headers['content-type'] === 'application/x-www-form-urlencoded') c.parsed = await parseForm(req);
    await new Promise<void>((resolve) => driver.checkBody(c, c.tx, resolve));
    const tx = c.tx;
    if (tx === null) return void res.end('no session');
    if (req.method === 'POST') tx.session.set('cart', ['apple']);
    const answer = await driver.end(c, tx);
    if (answer === null) res.end(JSON.stringify({ userId: tx.session.userId, cart: tx.session.get('cart') ?? null }));
    else host.send(c, answer);
  }
  async function begin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const c: Context = { req, res, mode: parse === 'after' ? 'later' : 'parsed', tx: null, parsed: undefined };
    if (parse === 'before' && req.headers['content-type'] === 'application/x-www-form-urlencoded') c.parsed = await parseForm(req);
    const next = (error?: unknown) => {
      if (error === undefined) void handle(c);
      else res.writeHead(500).end(`next(${(error as Error).message})`);
    };
    driver.begin(c, nodeRequest(req), next, routeOptions);
  }
  const server = createServer((req, res) => void begin(req, res));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  after(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as AddressInfo;
  return { send: (request) => sendHttp(port, request), manager };
}

/** A logged-in cookie and its CSRF token. */
async function loggedIn(manager: Served['manager']) {
  const session = await manager.load({ secure: true });
  await session.login('alice');
  const cookie = ((await session.commit())[0] as string).split(';')[0] as string;
  return { cookie, token: await session.csrfToken() };
}

describe('the request driver', () => {
  it('CO-01 sends what begin answers at once through the host (a preflight), without running the handler', async () => {
    const { send } = await serve('before', { cors: { origins: ['https://app.test'] } });
    const res = await send({ method: 'OPTIONS', path: '/cart', headers: { origin: 'https://app.test', 'access-control-request-method': 'POST' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.test');
    assert.equal(res.body, '');
  });

  it('starts the session, commits it at the end and adds its headers: the cookie, then the same session', async () => {
    const { send } = await serve('before');
    const first = await send({ method: 'POST', path: '/cart', headers: { ...HTTPS, 'sec-fetch-site': 'same-origin' } });
    assert.equal(first.status, 200, first.body);
    assert.equal(first.cookies.length, 1);
    assert.equal(first.headers['cache-control'], 'no-store');
    const cookie = (first.cookies[0] as string).split(';')[0] as string;
    const again = await send({ path: '/me', headers: { ...HTTPS, cookie } });
    assert.deepEqual(again.json(), { userId: null, cart: ['apple'] });
    assert.deepEqual(again.cookies, []);
  });

  it('CS-01 a cross-site post is refused through the host before the handler; csrf: false lets a route opt out', async () => {
    const guarded = await serve('before');
    const cross = { ...HTTPS, origin: 'https://evil.example' };
    const refused = await guarded.send({ method: 'POST', path: '/cart', headers: cross });
    assert.equal(refused.status, 403);
    assert.equal(refused.json().error.code, 'ERR_SESSION_CSRF');
    assert.deepEqual(refused.cookies, []);
    const open = await serve('before', {}, {}, Object.freeze({ csrf: false }));
    assert.equal((await open.send({ method: 'POST', path: '/cart', headers: cross })).status, 200);
  });

  it('session: false reads no session: no store call, no cookie, the CORS headers still added', async () => {
    let gets = 0;
    const inner = memoryStore({ sweepIntervalMs: 0, quiet: true });
    const counted: SessionStore = { ...inner, name: 'counted', get: (id, now) => (gets++, inner.get(id, now)) };
    const { send, manager } = await serve('before', { cors: { origins: ['https://app.test'] } }, {}, Object.freeze({ session: false }), counted);
    const { cookie } = await loggedIn(manager);
    gets = 0;
    const res = await send({ method: 'POST', path: '/cart', headers: { ...HTTPS, cookie, origin: 'https://app.test' } });
    assert.equal(res.body, 'no session');
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.test');
    assert.equal(gets, 0);
    assert.deepEqual(res.cookies, []);
  });

  for (const parse of ['before', 'after'] as const) {
    it(`CS-15 strict mode: a form's token is read from the body parsed ${parse} begin; without it, 403 token missing`, async () => {
      const { send, manager } = await serve(parse, {}, { csrf: { mode: 'strict' } });
      const { cookie, token } = await loggedIn(manager);
      const ok = await send({ method: 'POST', path: '/cart', headers: { ...HTTPS, cookie }, form: { _csrf: token } });
      assert.equal(ok.status, 200, ok.body);
      const missing = await send({ method: 'POST', path: '/cart', headers: { ...HTTPS, cookie }, form: { item: 'x' } });
      assert.equal(missing.status, 403);
      assert.match(missing.json().error.message, /^CSRF token missing/);
      assert.doesNotMatch(missing.json().error.message, /test framework/);
    });
  }

  it("CS-15 a form no parser read is refused with the host's fix, not a bare 'token missing'", async () => {
    const { send, manager } = await serve('never', {}, { csrf: { mode: 'strict' } });
    const { cookie, token } = await loggedIn(manager);
    const res = await send({ method: 'POST', path: '/cart', headers: { ...HTTPS, cookie }, form: { _csrf: token } });
    assert.equal(res.status, 403);
    assert.match(res.json().error.message, /no body parser had read the form.*Parse the form before the session step \(test framework\)/);
  });

  it('a failed commit comes back from end as the answer: 503, no cookie', async () => {
    const inner = memoryStore({ sweepIntervalMs: 0, quiet: true });
    const down: SessionStore = { ...inner, name: 'down', create: async () => Promise.reject(new Error('ECONNREFUSED 10.1.2.3:6379')) };
    const { send } = await serve('before', { logger: { error() {} } }, {}, undefined, down);
    const res = await send({ method: 'POST', path: '/cart', headers: { ...HTTPS, 'sec-fetch-site': 'same-origin' } });
    assert.equal(res.status, 503);
    assert.equal(res.json().error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
    assert.doesNotMatch(res.body, /ECONNREFUSED/);
    assert.deepEqual(res.cookies, []);
  });

  it('an error begin cannot answer (no session error) goes to next(error)', async () => {
    const failing: BearerAuthenticator<any> = { authenticate: () => Promise.reject(new Error('verifier crashed')) };
    const { send } = await serve('before', { bearer: failing });
    const res = await send({ path: '/me', headers: { ...HTTPS, authorization: 'Bearer abc' } });
    assert.equal(res.status, 500);
    assert.equal(res.body, 'next(verifier crashed)');
  });

  it('stays synchronous when the policy is: a synchronous bearer answer reaches next() before begin returns', async () => {
    const manager = createSessionManager({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets: [SECRET], production: false });
    const session = await manager.loadById(null);
    const bearer: BearerAuthenticator<any> = { authenticate: () => ({ ok: true, session }) };
    const driver = createDriver(createHttpPolicy({ manager, bearer }), host);
    const req = { method: 'GET', url: '/', headers: { authorization: 'Bearer t', host: 'shop.test' }, rawHeaders: ['Authorization', 'Bearer t'], socket: null };
    const c = { req, res: null, mode: 'parsed', tx: null, parsed: undefined } as unknown as Context;
    let calls = 0;
    driver.begin(c, nodeRequest(req), () => void calls++);
    assert.equal(calls, 1, 'next ran within begin');
    assert.equal(c.tx?.source, 'bearer');
    assert.equal(driver.end(c, c.tx as HttpTransaction<any>), null, 'nothing to commit: no promise');
  });

  it('stays synchronous without a store read: no cookie, and a session the local cache holds; a store read continues once it answered', async () => {
    const manager = createSessionManager({
      store: memoryStore({ sweepIntervalMs: 0, quiet: true }),
      secrets: [SECRET],
      production: false,
      bus: memoryBus(),
      cache: true,
    });
    const driver = createDriver(createHttpPolicy({ manager }), host);
    const begin = (cookie?: string) => {
      const headers: Record<string, string> = cookie === undefined ? {} : { cookie };
      const req = { method: 'GET', url: '/', headers, rawHeaders: [], socket: null };
      const c = { req, res: null, mode: 'parsed', tx: null, parsed: undefined } as unknown as Context;
      let calls = 0;
      let ran: () => void = () => {};
      const next = new Promise<void>((resolve) => {
        ran = resolve;
      });
      driver.begin(c, nodeRequest(req), (error?: unknown) => {
        assert.equal(error, undefined);
        calls++;
        ran();
      });
      return { c, next, syncCalls: calls };
    };
    const anonymous = begin();
    assert.equal(anonymous.syncCalls, 1, 'no cookie: next ran within begin');
    assert.equal(anonymous.c.tx?.session.status, 'none');

    const session = await manager.load({ secure: false });
    await session.login('alice');
    const cookie = ((await session.commit())[0] as string).split(';')[0] as string;
    manager.store.get = ((get) => (id: string, now: number) => {
      reads++;
      return get(id, now);
    })(manager.store.get.bind(manager.store));
    let reads = 0;
    // The commit left the cache empty for this id (a write invalidates): the first request reads the store.
    const first = begin(cookie);
    assert.equal(first.syncCalls, 0, 'a store read: next waits for it');
    await first.next;
    assert.equal(reads, 1);
    assert.equal(first.c.tx?.session.userId, 'alice');
    const cached = begin(cookie);
    assert.equal(cached.syncCalls, 1, 'a cache hit: next ran within begin');
    assert.equal(cached.c.tx?.session.userId, 'alice');
    assert.equal(reads, 1, 'served from the cache');
  });
});

describe('formBody', () => {
  /** What formBody says about each request the server receives, after `consume` ran. */
  async function judge(consume: boolean, request: SuiteRequest, parsed: unknown): Promise<string> {
    let verdict = '';
    const server = createServer(async (req, res) => {
      if (consume) await new Promise((resolve) => req.resume().once('end', resolve));
      const body = formBody(req, parsed);
      verdict = body === UNREAD_FORM ? 'unread' : body === parsed ? 'parsed' : 'other';
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    await sendHttp((server.address() as AddressInfo).port, request);
    await new Promise((resolve) => server.close(resolve));
    return verdict;
  }

  it('a form is unread when its parsed body is no object or its stream still holds the body; an empty form and JSON are not', async () => {
    const form = { method: 'POST', path: '/', form: { _csrf: 'x' } };
    assert.equal(await judge(true, form, { _csrf: 'x' }), 'parsed');
    assert.equal(await judge(true, form, undefined), 'unread');
    assert.equal(await judge(false, form, {}), 'unread', "Express 4's JSON parser leaves {} on a form it skipped");
    assert.equal(await judge(false, { method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, undefined), 'parsed');
    assert.equal(await judge(false, { method: 'POST', path: '/', json: { _csrf: 'x' } }, undefined), 'parsed');
  });
});
