// The runner's side of the Redis variants: a key prefix per run (so keys can be counted and
// removed afterwards), Redis commands per request from INFO commandstats, and pinning
// redis-server to the load generator's core, so the server core
// measures the app alone.
import { execFileSync } from 'node:child_process';
import { createClient } from 'redis';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let client = null;
let pinnedPid = null;

async function connect() {
  if (!client) {
    client = createClient({ url });
    client.on('error', () => {});
    await client.connect();
  }
  return client;
}

/** Pins redis-server to `cpu` (when it runs on this machine); returns its pid or null. */
export async function pinRedis(cpu) {
  const info = await (await connect()).info('server');
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  if (!pid || cpu === null) return null;
  try {
    execFileSync('taskset', ['-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    pinnedPid = pid;
    return pid;
  } catch {
    return null; // not ours to pin (another user, another host): measured unpinned
  }
}

/** Resets the command counters before a measured run. */
export async function resetRedisStats() {
  await (await connect()).configResetStat();
}

/** Commands Redis executed since the reset, per request (the runner's own INFO excluded). */
export async function redisCommandsPerRequest(requests) {
  const info = await (await connect()).info('commandstats');
  let calls = 0;
  const byCommand = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const [, name, count] = match;
    if (name === 'info' || name === 'config|resetstat') continue;
    byCommand[name] = Number(count) / requests;
    calls += Number(count);
  }
  return { perRequest: calls / requests, byCommand };
}

/** Deletes every key of a run. */
export async function dropPrefix(prefix) {
  const redis = await connect();
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    if (keys.length > 0) await redis.unlink(keys);
  }
}

/** Gives redis-server all CPUs back and disconnects. */
export async function releaseRedis() {
  if (pinnedPid) {
    try {
      execFileSync('taskset', ['-p', '-a', '-c', `0-${Number(execFileSync('nproc').toString()) - 1}`, String(pinnedPid)], { stdio: 'ignore' });
    } catch {}
  }
  await client?.close();
  client = null;
}
