// JW-17, RT-11: revocations and refresh-token rotations survive a failover to a replica when
// the store confirms them with WAIT (waitForReplicas). Each test runs a master and a replica
// whose link goes through a proxy that can hold the replica back and then cut it: the master
// "dies" with whatever it had not delivered, and the replica is promoted (REPLICAOF NO ONE).
// A second app instance on the promoted replica, with the same prefix, secret and keys, is the
// app after the failover.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useReplicatedPair, type ReplicatedPair } from './fixtures/redis-replica.js';
import { eventually, uniquePrefix } from './fixtures/clients.js';
import { connectAny } from './fixtures/client-kind.js';
import { accepts, bearerInstance, loginWithTokens, type BearerInstance, type BearerOptions } from './fixtures/bearer.js';

const CONFIRMED = { replicas: 1, timeoutMs: 3000 } as const;

// Runs `write` while the replica is held back. With waitForReplicas the write cannot resolve
// before the replica has it: the proxy delivers only once the master is seen blocked in WAIT.
// Then the link is cut and the replica promoted; returns an instance on it.
async function failOverDuring<T>(
  pair: ReplicatedPair,
  options: BearerOptions,
  write: () => Promise<T>,
  confirmed: boolean,
): Promise<{ result: T; standby: BearerInstance }> {
  await pair.caughtUp();
  pair.hold();
  const pending = write();
  if (confirmed) {
    await eventually('the write waits for the replica (WAIT blocked)', async () => (await pair.blockedClients()) >= 1);
    pair.release();
  }
  const result = await pending;
  pair.cut();
  await pair.promote();
  const standby = await bearerInstance(await connectAny(pair.replica.url), options);
  return { result, standby };
}

describe('failover to a replica', () => {
  it('JW-17 a revoked session stays revoked after failover to the replica (waitForReplicas)', async () => {
    const pair = await useReplicatedPair();
    const prefix = uniquePrefix('failover-revoke');
    const app = await bearerInstance(await connectAny(pair.master.url), { prefix, waitForReplicas: CONFIRMED });
    const alice = await loginWithTokens(app, 'alice');
    assert.equal(await accepts(app, alice.access_token), true);

    const { result, standby } = await failOverDuring(pair, { prefix }, () => app.tokens.revoke(alice.refresh_token), true);
    assert.equal(result, true, 'the revocation was reported done');
    assert.equal(await standby.store.get(alice.sid, Date.now()), null, 'the promoted replica has no such session');
    assert.equal(await accepts(standby, alice.access_token), false, 'its access token is refused');
    const refresh = await standby.tokens.refresh(alice.refresh_token);
    assert.equal(refresh.ok, false, 'its refresh token is refused');
  });

  it('JW-17 without waitForReplicas the same failover brings the revoked session back (what the option prevents)', async () => {
    const pair = await useReplicatedPair();
    const prefix = uniquePrefix('failover-unconfirmed');
    const app = await bearerInstance(await connectAny(pair.master.url), { prefix });
    const bob = await loginWithTokens(app, 'bob');

    const { result, standby } = await failOverDuring(pair, { prefix }, () => app.tokens.revoke(bob.refresh_token), false);
    assert.equal(result, true, 'the master acknowledged the revocation');
    assert.notEqual(await standby.store.get(bob.sid, Date.now()), null, 'the replica never received it');
    assert.equal(await accepts(standby, bob.access_token), true, 'the revoked access token works again');
  });

  it('JW-17 "log out everywhere" confirmed by the replica survives the failover', async () => {
    const pair = await useReplicatedPair();
    const prefix = uniquePrefix('failover-everywhere');
    const app = await bearerInstance(await connectAny(pair.master.url), { prefix, waitForReplicas: CONFIRMED });
    const devices = [await loginWithTokens(app, 'carol'), await loginWithTokens(app, 'carol'), await loginWithTokens(app, 'carol')];

    const { result, standby } = await failOverDuring(pair, { prefix }, () => app.manager.revokeAllSessions('carol'), true);
    assert.equal(result.length, 3);
    for (const device of devices) {
      assert.equal(await standby.store.get(device.sid, Date.now()), null);
      assert.equal(await accepts(standby, device.access_token), false);
    }
  });

  it('RT-11 a confirmed rotation survives failover: replaying the spent refresh token on the promoted replica issues no tokens', async () => {
    const pair = await useReplicatedPair();
    const prefix = uniquePrefix('failover-rotate');
    const app = await bearerInstance(await connectAny(pair.master.url), { prefix, waitForReplicas: CONFIRMED, graceSeconds: 0 });
    const dave = await loginWithTokens(app, 'dave');

    // No grace window on either side: within one, a replay would get the same successor again.
    const { result, standby } = await failOverDuring(pair, { prefix, graceSeconds: 0 }, () => app.tokens.refresh(dave.refresh_token), true);
    assert.equal(result.ok, true, 'the rotation was reported done');
    const replay = await standby.tokens.refresh(dave.refresh_token);
    assert.equal(replay.ok ? 'new tokens' : replay.code, 'ERR_REFRESH_TOKEN_REUSED');
  });

  it('JW-17 after FLUSHALL the session and its tokens are refused, and nothing written later brings them back', async () => {
    const pair = await useReplicatedPair();
    const prefix = uniquePrefix('flushall');
    const app = await bearerInstance(await connectAny(pair.master.url), { prefix, waitForReplicas: CONFIRMED });
    const erin = await loginWithTokens(app, 'erin');
    // A request that loaded the session before the flush and commits after it.
    const inFlight = await app.manager.loadById(erin.sid);
    assert.equal(inFlight.status, 'valid');
    inFlight.set('cart', ['apple']);

    await pair.master.cli('FLUSHALL');
    await inFlight.commit();
    assert.equal(inFlight.id, null, 'the late commit found no session and created none');
    const now = Date.now();
    assert.equal(await app.store.touch(erin.sid, now, now + 60_000, now), false, 'a touch does not revive it');
    assert.equal(await app.store.get(erin.sid, now), null);
    assert.equal(await accepts(app, erin.access_token), false);
    const refresh = await app.tokens.refresh(erin.refresh_token);
    assert.equal(refresh.ok ? 'new tokens' : refresh.code, 'ERR_REFRESH_TOKEN_INVALID');

    // The flush reached the replica too: failing over does not bring the session back.
    await pair.caughtUp();
    pair.cut();
    await pair.promote();
    const standby = await bearerInstance(await connectAny(pair.replica.url), { prefix });
    assert.equal(await standby.store.get(erin.sid, Date.now()), null);
    assert.equal(await accepts(standby, erin.access_token), false);
  });
});
