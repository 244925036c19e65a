// The typed-data guide's app, taken from docs/typed-data.md itself: started, and driven over HTTP.
// Its type-check (strict, nodenext, skipLibCheck false) is the consumer test's, against the
// packed tarballs as a user installs them (scripts/consumer), not repeated here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readSnippet, startDocApp, writeDocApp, type DocApp, type RunningDocApp } from '@coatcheck/testkit/doc-apps';
import { cookiePair, sendHttp, type SuiteRequest } from '@coatcheck/adapter-suite';

const GUIDE = 'docs/typed-data.md';

describe("docs/typed-data.md: the guide's app", () => {
  let app: DocApp;
  let server: RunningDocApp;
  let send: (request: SuiteRequest) => ReturnType<typeof sendHttp>;

  before(async () => {
    app = writeDocApp({ 'server.ts': readSnippet(GUIDE, 'typed-data-guide/server.ts') });
    server = await startDocApp(app, 'server.ts', { PORT: '0', SESSION_SECRET: 'typed-data-guide-test-secret-8d2f6b0a4c9e1f7a3b5d' });
    const port = Number(new URL(server.url).port);
    send = (request) => sendHttp(port, request);
  });

  after(async () => {
    await server?.stop();
    app?.remove();
  });

  it('a good item is added; a malformed one is 400; the 51st, past the schema, is 500 ERR_SESSION_DATA_INVALID and writes nothing', async () => {
    const added = await send({ method: 'POST', path: '/cart', json: { sku: 'apple', qty: 2 } });
    assert.deepEqual(added.json(), { cart: [{ sku: 'apple', qty: 2 }] });
    const cookie = cookiePair(added);
    const malformed = await send({ method: 'POST', path: '/cart', headers: { cookie }, json: { sku: 'pear', qty: 'two' } });
    assert.equal(malformed.status, 400, malformed.body);
    assert.equal(malformed.json().error.code, 'ERR_BAD_ITEM');
    for (let i = 2; i <= 50; i++)
      assert.equal((await send({ method: 'POST', path: '/cart', headers: { cookie }, json: { sku: `sku-${i}`, qty: 1 } })).status, 200);
    const refused = await send({ method: 'POST', path: '/cart', headers: { cookie }, json: { sku: 'one-too-many', qty: 1 } });
    assert.equal(refused.status, 500, refused.body);
    assert.deepEqual(refused.json(), { error: { code: 'ERR_SESSION_DATA_INVALID', message: 'Something went wrong on our side.' } });
    assert.deepEqual(refused.cookies, []);
    const cart = (await send({ path: '/cart', headers: { cookie } })).json().cart as { sku: string }[];
    assert.equal(cart.length, 50);
    assert.deepEqual(cart[0], { sku: 'apple', qty: 2 });
  });
});
