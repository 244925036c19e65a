// The step-up guide's app, taken from docs/step-up.md itself: started, and driven over HTTP through what the guide promises. (SU-03)
// Its type-check (strict, nodenext, skipLibCheck false) is the consumer test's, against the
// packed tarballs as a user installs them (scripts/consumer), not repeated here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readSnippet, startDocApp, writeDocApp, type DocApp, type RunningDocApp } from '@coatcheck/testkit/doc-apps';
import { cookiePair, sendHttp, type SuiteRequest } from '@coatcheck/adapter-suite';

const GUIDE = 'docs/step-up.md';

describe("docs/step-up.md: the guide's app", () => {
  let app: DocApp;
  let server: RunningDocApp;
  let send: (request: SuiteRequest) => ReturnType<typeof sendHttp>;

  before(async () => {
    app = writeDocApp({ 'server.ts': readSnippet(GUIDE, 'step-up-guide/server.ts') });
    server = await startDocApp(app, 'server.ts', { PORT: '0', SESSION_SECRET: 'step-up-guide-test-secret-3e9a7c1f5b2d8e4a6c0f' });
    const port = Number(new URL(server.url).port);
    send = (request) => sendHttp(port, request);
  });

  after(async () => {
    await server?.stop();
    app?.remove();
  });

  it('SU-03 a password login is refused the transfer; the code answers the challenge once; then the transfer passes', async () => {
    const login = await send({ method: 'POST', path: '/login', json: { password: 'correct horse battery staple' } });
    assert.deepEqual(login.json(), { amr: ['pwd'] });
    let cookie = cookiePair(login);
    const refused = await send({ method: 'POST', path: '/transfer', headers: { cookie } });
    assert.equal(refused.status, 403, refused.body);
    const { stepUp } = refused.json().error;
    assert.deepEqual([stepUp.methods, stepUp.within], [['otp'], 300_000]);
    const stepped = await send({ method: 'POST', path: '/step-up', headers: { cookie }, json: { code: '246810', challenge: stepUp.challenge } });
    assert.deepEqual(stepped.json(), { amr: ['pwd', 'otp'] });
    cookie = cookiePair(stepped);
    assert.deepEqual((await send({ method: 'POST', path: '/transfer', headers: { cookie } })).json(), { transferred: true });
    const replay = await send({ method: 'POST', path: '/step-up', headers: { cookie }, json: { code: '246810', challenge: stepUp.challenge } });
    assert.equal(replay.status, 403);
    assert.equal(replay.json().error.code, 'ERR_SESSION_STEP_UP_CHALLENGE');
  });
});
