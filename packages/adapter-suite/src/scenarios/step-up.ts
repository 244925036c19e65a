// Step-up refusals: every adapter answers them with the same status, headers and body (the
// HTTP policy's), and a step-up answered with the refusal's challenge works once. (SU-07)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildHarness, cookiePair, HTTPS, SUDO, type AppFactory } from '../harness.js';

export function stepUpScenarios(factory: AppFactory): void {
  describe('step-up', () => {
    it('SU-07 a stale session gets 403 ERR_SESSION_STEP_UP_REQUIRED with the methods, within and a challenge id; the step-up answers it once', async () => {
      const { app } = await buildHarness(factory);
      let cookie = cookiePair(await app.request({ method: 'POST', path: '/login', headers: HTTPS, json: { user: 'alice' } }));
      const refused = await app.request({ path: '/sudo', headers: { ...HTTPS, cookie } });
      assert.equal(refused.status, 403, refused.body);
      assert.deepEqual(refused.cookies, [], 'a refusal sends no cookie');
      assert.equal(refused.headers['cache-control'], 'no-store');
      assert.match(refused.headers['content-type'] as string, /^application\/json/);
      const { challenge } = refused.json().error.stepUp;
      assert.match(challenge, /^[\w-]{22}$/);
      assert.deepEqual(refused.json(), {
        error: {
          code: 'ERR_SESSION_STEP_UP_REQUIRED',
          message: 'Confirm it is you (step-up authentication) to continue.',
          stepUp: { methods: [...SUDO.methods], within: SUDO.within, challenge },
        },
      });
      const stepped = await app.request({ method: 'POST', path: '/step-up', headers: { ...HTTPS, cookie }, json: { method: 'otp', challenge } });
      assert.equal(stepped.status, 200, stepped.body);
      cookie = cookiePair(stepped);
      assert.equal((await app.request({ path: '/sudo', headers: { ...HTTPS, cookie } })).status, 200);
      const replay = await app.request({ method: 'POST', path: '/step-up', headers: { ...HTTPS, cookie }, json: { method: 'otp', challenge } });
      assert.equal(replay.status, 403);
      assert.deepEqual(replay.cookies, []);
      assert.deepEqual(replay.json(), {
        error: { code: 'ERR_SESSION_STEP_UP_CHALLENGE', message: 'This step-up challenge is unknown, used or expired; start again.' },
      });
    });
  });
}
