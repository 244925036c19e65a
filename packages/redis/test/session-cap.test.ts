// LC-21 / AB-08 on Redis: the cap holds under 20 parallel logins of one user spread over two
// app instances (two managers, each with its own client, store and bus, cache on), on a
// standalone Redis and on a Cluster. Evicted sessions end on both instances (the other one's
// cache is told by the bus), are in the history as `session-limit`, and each is reported once.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager, SessionLimitError, type SessionManager } from 'coatcheck';
import { randomUserId } from '@coatcheck/conformance';
import { redisBus, redisStore } from '@coatcheck/redis';
import { REDIS_URL, connectClient, eventually, uniquePrefix } from './fixtures/clients.js';
import { connectAny, connectAnyCluster, type AnyClient } from './fixtures/client-kind.js';
import { useRedisCluster } from './fixtures/redis-cluster.js';

const SECRET = 'coatcheck-session-cap-test-secret-5d1f7a3e9b2c4a60';
const MAX = 3;
const LOGINS = 20;
type Policy = 'evictOldest' | 'reject';

interface Instance {
  readonly manager: SessionManager;
  /** Ids of every `revoked` event with reason `session-limit` this instance emitted. */
  readonly evicted: string[];
  close(): Promise<void>;
}

async function startInstance(client: AnyClient, prefix: string, policy: Policy): Promise<Instance> {
  const store = redisStore({ client, prefix, checkConfig: false });
  const bus = redisBus({ client, prefix });
  await bus.ready;
  const manager = createSessionManager({ store, bus, secrets: [SECRET], production: false, maxSessionsPerUser: { max: MAX, policy } });
  const evicted: string[] = [];
  manager.events.on('revoked', (event) => {
    if (event.reason === 'session-limit') evicted.push(...event.ids);
  });
  return {
    manager,
    evicted,
    async close() {
      await manager.close();
      await bus.close();
      await store.close();
    },
  };
}

/** One login on a fresh anonymous handle: the new session's id, or the error it failed with. */
async function login(manager: SessionManager, userId: string): Promise<{ id: string } | { error: unknown }> {
  try {
    const session = await manager.loadById(null);
    await session.login(userId);
    await session.commit();
    return { id: session.id ?? '' };
  } catch (error) {
    return { error };
  }
}

const loadable = async (manager: SessionManager, id: string): Promise<boolean> => (await manager.loadById(id)).status === 'valid';
const sorted = (ids: readonly string[]): string[] => [...ids].sort();

function describeTopology(topology: string, prefix: string, connect: () => Promise<AnyClient>): void {
  describe(`session cap over two instances (${topology})`, () => {
    let instances: Instance[] = [];

    async function start(policy: Policy): Promise<[Instance, Instance]> {
      instances = [await startInstance(await connect(), prefix, policy), await startInstance(await connect(), prefix, policy)];
      return instances as [Instance, Instance];
    }

    after(() => Promise.all(instances.map((instance) => instance.close())));

    it(`AB-08 LC-21 evictOldest: ${LOGINS} parallel logins leave exactly ${MAX} sessions; the others end everywhere, once, in the history`, async () => {
      const [a, b] = await start('evictOldest');
      const userId = randomUserId();
      // Sessions that exist before the flood, read on both instances so both cache them.
      const earlier: string[] = [];
      for (let i = 0; i < MAX; i++) {
        const result = await login(b.manager, userId);
        assert.ok('id' in result, 'an earlier login failed');
        earlier.push(result.id);
      }
      for (const id of earlier) for (const { manager } of [a, b]) assert.equal(await loadable(manager, id), true);

      const results = await Promise.all(Array.from({ length: LOGINS }, (_, i) => login((i % 2 === 0 ? a : b).manager, userId)));
      const failures = results.flatMap((result) => ('error' in result ? [result.error] : []));
      assert.deepStrictEqual(failures, [], 'no login may fail under an evicting policy');
      const created = [...earlier, ...results.flatMap((result) => ('id' in result ? [result.id] : []))];

      for (const { manager } of [a, b]) assert.equal((await manager.listSessions(userId)).length, MAX);
      const live = (await a.manager.listSessions(userId)).map((session) => session.id);
      assert.deepStrictEqual(sorted((await b.manager.listSessions(userId)).map((session) => session.id)), sorted(live));
      const evicted = [...a.evicted, ...b.evicted];
      // Every session is either live or was reported evicted, by exactly one instance, once.
      assert.deepStrictEqual(sorted([...live, ...evicted]), sorted(created));
      assert.ok(
        earlier.every((id) => evicted.includes(id)),
        'the sessions from before the flood are the oldest',
      );

      for (const id of evicted) {
        for (const { manager } of [a, b]) await eventually(`evicted session ${id} unloadable`, async () => !(await loadable(manager, id)));
      }
      const history = await a.manager.history({ userId }, { limit: 1000 });
      for (const id of evicted) {
        const entries = history.filter((entry) => entry.sessionId === id && entry.type === 'revoked');
        assert.deepStrictEqual(
          entries.map((entry) => [entry.reason, entry.actor]),
          [['session-limit', 'system']],
          `history of ${id}`,
        );
      }
    });

    it(`AB-08 LC-21 reject: of ${LOGINS} parallel logins exactly ${MAX} succeed, the rest get SessionLimitError`, async () => {
      await Promise.all(instances.map((instance) => instance.close()));
      const [a, b] = await start('reject');
      const userId = randomUserId();
      const results = await Promise.all(Array.from({ length: LOGINS }, (_, i) => login((i % 2 === 0 ? a : b).manager, userId)));
      const succeeded = results.flatMap((result) => ('id' in result ? [result.id] : []));
      const refused = results.flatMap((result) => ('error' in result ? [result.error] : []));
      assert.equal(succeeded.length, MAX, `refusals: ${refused.map((error) => String(error)).join('; ')}`);
      assert.equal(refused.length, LOGINS - MAX);
      for (const error of refused) {
        assert.ok(error instanceof SessionLimitError, String(error));
        assert.equal(error.code, 'ERR_SESSION_LIMIT_REACHED');
      }
      for (const { manager } of [a, b]) assert.deepStrictEqual(sorted((await manager.listSessions(userId)).map((session) => session.id)), sorted(succeeded));
      assert.deepStrictEqual([...a.evicted, ...b.evicted], []);
    });
  });
}

// Both backends are up before any test runs. Keys of the standalone run are removed through a
// node-redis client afterwards; the Cluster goes away with its servers.
const standalone = uniquePrefix('cap');
await connectClient(REDIS_URL, { cleanupPrefix: standalone });
const cluster = await useRedisCluster();

describeTopology('standalone', standalone, () => connectAny(REDIS_URL));
describeTopology('Cluster', uniquePrefix('cap'), () => connectAnyCluster(cluster.nodes.map((node) => node.url)));
