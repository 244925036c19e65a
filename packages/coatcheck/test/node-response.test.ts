// A transaction on Node's ServerResponse, over real HTTP: deferred response methods wait for
// the store, a streaming handler commits first, the writeHead safety net never sends a cookie
// for a write that did not happen, and answers replace the response without a cookie.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, ServerResponse, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionManager } from 'coatcheck';
import type { SessionStore } from 'coatcheck/store-kit';
import { memoryStore } from 'coatcheck/memory';
import {
  attachTransaction,
  commitResponse,
  createHttpPolicy,
  isAnswer,
  nodeRequest,
  transactionOf,
  writeAnswer,
  type HttpTransaction,
} from 'coatcheck/adapter';
import { sendHttp, type SuiteResponse } from '@coatcheck/adapter-suite';

const SECRET = 'node-response-secret-9b3d7f1a5c8e2f6a0d4b';
const HTTPS = { 'x-forwarded-proto': 'https', 'sec-fetch-site': 'same-origin' } as const;

/** A framework's response class: `send` is the method that may wait for the commit. */
class FrameworkResponse extends ServerResponse {
  send(body: string): this {
    this.end(body);
    return this;
  }
}

type Handler = (tx: HttpTransaction<any>, res: FrameworkResponse, req: IncomingMessage) => void | Promise<void>;

/** A server whose every request begins a transaction and runs `handler`; `deferred` as given to attachTransaction. */
async function serve(handler: Handler, deferred: readonly string[] = ['send'], store: SessionStore = memoryStore({ sweepIntervalMs: 0, quiet: true })) {
  const errors: string[] = [];
  const logger = { warn() {}, error: (message: string) => void errors.push(message) };
  const manager = createSessionManager({ store, secrets: [SECRET], production: false, logger });
  const policy = createHttpPolicy({ manager, trustProxy: true });
  const server = createServer({ ServerResponse: FrameworkResponse }, async (req, res) => {
    const tx = await policy.begin(nodeRequest(req));
    if (isAnswer(tx)) return writeAnswer(res, tx);
    attachTransaction(res, tx, deferred);
    await handler(tx, res as FrameworkResponse, req);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  after(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as AddressInfo).port;
  return { get: (path = '/', headers: Record<string, string> = HTTPS): Promise<SuiteResponse> => sendHttp(port, { path, headers }), errors, manager };
}

describe('a transaction on a Node response', () => {
  it('a deferred method waits until the write is durable, then carries its cookie', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const inner = memoryStore({ sweepIntervalMs: 0, quiet: true });
    const slow: SessionStore = { ...inner, name: 'slow', create: async (record) => (await released, inner.create(record)) };
    const app = await serve(
      (tx, res) => {
        tx.session.set('cart', ['apple']);
        res.send('ok');
      },
      undefined,
      slow,
    );
    let received = false;
    const pending = app.get().then((res) => ((received = true), res));
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(received, false, 'no byte before the store answered');
    release();
    const res = await pending;
    assert.equal(res.body, 'ok');
    assert.equal(res.cookies.length, 1);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('a streaming handler commits first with commitResponse; the same promise for every caller', async () => {
    const app = await serve(async (tx, res) => {
      tx.session.set('cart', ['apple']);
      const first = commitResponse(res);
      assert.equal(commitResponse(res), first);
      await first;
      res.write('part one, ');
      res.end('part two');
    });
    const res = await app.get();
    assert.equal(res.body, 'part one, part two');
    assert.equal(res.cookies.length, 1);
  });

  it('the writeHead safety net drops unwritten changes and says so, with no Set-Cookie; with writeHead hooked on the response itself', async () => {
    const app = await serve((tx, res) => {
      tx.session.set('cart', ['apple']);
      res.end('no commit');
    }, []);
    const res = await app.get();
    assert.equal(res.body, 'no commit');
    assert.deepEqual(res.cookies, []);
    assert.equal(app.errors.length, 1);
    assert.match(app.errors[0] as string, /1 change\(s\) were not saved/);
  });

  it('a login already durable still reaches a bare res.end through the safety net', async () => {
    const app = await serve(async (tx, res) => {
      await tx.session.login('alice');
      res.end('ok');
    });
    const res = await app.get();
    const cookie = (res.cookies[0] as string).split(';')[0] as string;
    assert.equal((await app.manager.load({ cookie, secure: true })).userId, 'alice');
  });

  it('ER-01 a failed commit in a deferred method answers 503 instead, without the driver detail or a cookie', async () => {
    const inner = memoryStore({ sweepIntervalMs: 0, quiet: true });
    const down: SessionStore = { ...inner, name: 'down', create: () => Promise.reject(new Error('ECONNREFUSED 10.1.2.3:6379')) };
    const app = await serve(
      (tx, res) => {
        tx.session.set('cart', ['apple']);
        res.send('ok');
      },
      undefined,
      down,
    );
    const res = await app.get();
    assert.equal(res.status, 503);
    assert.equal(res.json().error.code, 'ERR_SESSION_STORE_UNAVAILABLE');
    assert.doesNotMatch(res.body, /ECONNREFUSED/);
    assert.deepEqual(res.cookies, []);
  });

  it('commitResponse after the headers went out rejects with ERR_SESSION_COMMITTED; without a transaction, a TypeError', async () => {
    const outcomes: string[] = [];
    const app = await serve((_tx, res) => {
      res.end('done', () => {
        commitResponse(res).then(
          () => outcomes.push('resolved'),
          (error: { code?: string }) => outcomes.push(String(error.code)),
        );
      });
    });
    await app.get();
    for (let i = 0; i < 100 && outcomes.length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(outcomes, ['ERR_SESSION_COMMITTED']);
    const bare = new ServerResponse({ method: 'GET' } as IncomingMessage);
    await assert.rejects(commitResponse(bare), TypeError);
    assert.equal(transactionOf(bare), undefined);
  });

  it('writeAnswer replaces the response: its status, headers and body, never a Set-Cookie; after the headers, the socket is cut', async () => {
    const app = await serve(async (tx, res, req) => {
      res.setHeader('set-cookie', 'other=1');
      if (req.url === '/late') {
        res.write('started');
        writeAnswer(res, { status: 503, headers: { 'retry-after': '1' }, body: '{}' });
        return;
      }
      assert.equal(transactionOf(res), tx);
      writeAnswer(res, { status: 409, headers: { 'content-type': 'application/json' }, body: '{"error":{}}' });
    });
    const res = await app.get();
    assert.deepEqual([res.status, res.headers['content-type'], res.body, res.cookies], [409, 'application/json', '{"error":{}}', []]);
    await assert.rejects(app.get('/late'));
  });
});
