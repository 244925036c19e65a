// SF-21 for rotations: a request that loaded a signed-in session before it ended (revoked from
// another device, evicted by the session cap, logged out in another tab) cannot bring it back
// by regenerating its ticket. The request is let go as a commit lets it go: signed out, its
// cookie cleared, nothing written for the user.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HTTPS, login, setup, STORES } from './helpers/manager-setup.js';

for (const [storeName, makeStore] of STORES) {
  describe(`a rotation of a session that ended meanwhile (${storeName} store)`, () => {
    it('SF-21 regenerate() after the session was revoked writes no new session and signs the request out', async () => {
      const { manager, store, now } = setup(makeStore());
      const { id, cookie } = await login(manager, 'alice');
      const request = await manager.load({ ...HTTPS, cookie });
      assert.equal(request.userId, 'alice');
      // Another device revokes it while this request runs.
      assert.equal(await manager.revokeSession('alice', id), true);
      await request.regenerate();
      assert.equal(request.userId, null);
      const cookies = await request.commit();
      assert.match(cookies[0] ?? '', /Max-Age=0/, 'the cookie is cleared');
      assert.deepEqual(await store.listByUser('alice', now()), [], 'no session of alice is live');
      await manager.close();
    });
  });
}
