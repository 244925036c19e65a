/**
 * The Redis checks of `doctor`: eviction policy (through `@coatcheck/redis`' own
 * `checkRedisConfig`), persistence, replication and memory, on every master of a Cluster.
 * Internal.
 *
 * @module
 */
import type { RedisClientLike } from '@coatcheck/redis';
import { fail, ok, warn, type Finding } from './finding.js';

/** What doctor needs from a node connection. */
interface NodeClient {
  configGet(parameter: string): Promise<unknown>;
  info(section: string): Promise<unknown>;
}

function configValue(reply: unknown, name: string): string | null {
  if (reply instanceof Map) return reply.has(name) ? String(reply.get(name)) : null;
  if (reply !== null && typeof reply === 'object' && name in reply) return String((reply as Record<string, unknown>)[name]);
  return null;
}

function infoField(text: unknown, field: string): string | null {
  const match = new RegExp(`^${field}:(.*)$`, 'm').exec(String(text));
  return match ? (match[1] as string).trim() : null;
}

async function nodesOf(client: RedisClientLike): Promise<{ node: string; client: NodeClient }[]> {
  const cluster = client as Partial<{ masters: { host: string; port: number }[]; nodeClient(node: unknown): Promise<NodeClient> }>;
  if (Array.isArray(cluster.masters) && typeof cluster.nodeClient === 'function') {
    return Promise.all(cluster.masters.map(async (m) => ({ node: `${m.host}:${m.port}`, client: await cluster.nodeClient!(m) })));
  }
  return [{ node: 'server', client: client as unknown as NodeClient }];
}

const EVICTION_FIX =
  "set maxmemory-policy noeviction (CONFIG SET maxmemory-policy noeviction, and in redis.conf or your provider's settings): a full Redis then refuses new sessions (503) while every existing session keeps working";

/** Eviction policy, persistence, replication and memory of the store's Redis. */
export async function checkRedis(client: RedisClientLike): Promise<Finding[]> {
  const { checkRedisConfig } = await import('@coatcheck/redis');
  const findings: Finding[] = [];
  for (const { node, policy, error } of await checkRedisConfig(client, { warn: false })) {
    const where = node === 'server' ? 'Redis' : `Redis ${node}`;
    if (policy === null)
      findings.push(
        warn(
          'redis.eviction',
          `could not read maxmemory-policy from ${where} (${error})`,
          `verify in redis.conf or your provider's console that it is noeviction`,
        ),
      );
    else if (policy === 'noeviction') findings.push(ok('redis.eviction', `${where}: maxmemory-policy noeviction`));
    else {
      // volatile-* too: every session key has a TTL, so they are candidates like any other.
      findings.push(
        fail(
          'redis.eviction',
          `${where}: maxmemory-policy ${policy} evicts live sessions and user indexes when memory is full, silently logging users out and letting "log out everywhere" miss sessions`,
          EVICTION_FIX,
        ),
      );
    }
  }
  for (const { node, client: nodeClient } of await nodesOf(client)) {
    const where = node === 'server' ? 'Redis' : `Redis ${node}`;
    try {
      findings.push(...(await checkNode(where, nodeClient)));
    } catch (error) {
      findings.push(
        warn(
          'redis.config',
          `${where}: could not read CONFIG/INFO (${(error as Error).message})`,
          "check persistence (appendonly) and replication in your provider's settings",
        ),
      );
    }
  }
  return findings;
}

async function checkNode(where: string, client: NodeClient): Promise<Finding[]> {
  const findings: Finding[] = [];
  const appendonly = configValue(await client.configGet('appendonly'), 'appendonly');
  const save = configValue(await client.configGet('save'), 'save');
  if (appendonly === 'yes') findings.push(ok('redis.persistence', `${where}: appendonly yes`));
  else if (save) {
    findings.push(
      warn(
        'redis.persistence',
        `${where}: RDB snapshots only (save "${save}"): a crash loses the logins, logouts and revocations since the last snapshot, and a revoked session can come back`,
        'set appendonly yes (appendfsync everysec)',
      ),
    );
  } else {
    findings.push(
      fail(
        'redis.persistence',
        `${where}: no persistence (appendonly no, save ""): a restart logs every user out`,
        'set appendonly yes (appendfsync everysec)',
      ),
    );
  }
  const replication = await client.info('replication');
  const role = infoField(replication, 'role');
  const replicas = Number(infoField(replication, 'connected_slaves') ?? 0);
  if (role === 'slave')
    findings.push(
      fail(
        'redis.replication',
        `${where} is a replica: session writes fail on it`,
        'point the store URL at the master (or use redis+sentinel:// so the client follows failovers)',
      ),
    );
  else if (replicas === 0)
    findings.push(
      warn(
        'redis.replication',
        `${where}: no connected replica; losing this server loses every session`,
        'add a replica with Sentinel (redis+sentinel://) or use a Cluster with replicas; see waitForReplicas in docs/redis.md',
      ),
    );
  else findings.push(ok('redis.replication', `${where}: ${replicas} connected replica(s)`));
  const memory = await client.info('memory');
  const used = Number(infoField(memory, 'used_memory') ?? 0);
  const max = Number(infoField(memory, 'maxmemory') ?? 0);
  if (max > 0 && used / max > 0.8)
    findings.push(
      warn(
        'redis.memory',
        `${where}: ${Math.round((used / max) * 100)}% of maxmemory used (${used} of ${max} bytes)`,
        'raise maxmemory or add capacity before new logins are refused',
      ),
    );
  else findings.push(ok('redis.memory', `${where}: ${used} bytes used${max > 0 ? ` of ${max}` : ", no maxmemory limit (the host's memory is the limit)"}`));
  return findings;
}
