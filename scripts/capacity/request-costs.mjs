// What each kind of request costs the store and the bus: store calls counted with
// `manager.onStoreCall` (every store), and on Redis also the commands the server ran (INFO
// commandstats, as bench/lib/redis.mjs counts them), the bytes it received and sent (INFO
// stats) and the bus messages it carried (PUBLISH calls, and their size as a subscriber sees
// them). The Redis figures need a private server: its counters are reset per phase.
import { randomBytes } from 'node:crypto';
import { createSessionManager } from 'coatcheck';
import { requests } from './workload.mjs';

/** Sessions per user for the "revoke all" phase. */
export const REVOKE_ALL_SESSIONS = 5;

/** Reads INFO counters of a private server; `reset` zeroes them first. */
function redisCounters(client) {
  return {
    reset: () => client.configResetStat(),
    async read() {
      // INFO stats first: its own reply is not in the byte counters it reports.
      const stats = await client.info('stats');
      const commands = await client.info('commandstats');
      let total = 0;
      let publish = 0;
      for (const [, name, calls] of commands.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        if (name === 'info' || name.startsWith('config')) continue;
        total += Number(calls);
        if (name === 'publish' || name === 'spublish') publish += Number(calls);
      }
      const field = (name) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
      // PUBLISH is counted as a bus message, not as a store command.
      return { commands: total - publish, publish, bytesIn: field('total_net_input_bytes'), bytesOut: field('total_net_output_bytes') };
    },
  };
}

/**
 * Runs each kind of request `count` times against `store` (and `bus`, when given) and
 * returns the cost per request. `redis`: a client of the private server behind the store.
 */
export async function measureRequestCosts({ store, bus = null, redis = null, count = 200 }) {
  let clock = Date.now();
  const manager = createSessionManager({ store, secrets: [randomBytes(32).toString('base64url')], now: () => clock, ...(bus ? { bus } : {}) });
  let storeCalls = 0;
  const stop = manager.onStoreCall(() => void storeCalls++);
  const counters = redis ? redisCounters(redis) : null;
  const costs = {};
  const phase = async (name, run) => {
    await counters?.reset();
    storeCalls = 0;
    const n = await run();
    const seen = counters ? await counters.read() : null;
    costs[name] = {
      storeCalls: storeCalls / n,
      ...(seen
        ? {
            redisCommands: seen.commands / n,
            busMessages: seen.publish / n,
            redisBytesIn: Math.round(seen.bytesIn / n),
            redisBytesOut: Math.round(seen.bytesOut / n),
          }
        : {}),
    };
  };
  const users = Array.from({ length: count }, (_, i) => `capacity-user-${i}`);
  let cookies = [];
  try {
    await phase('login', async () => {
      cookies = [];
      for (const user of users) cookies.push(await requests.login(manager, user));
      return count;
    });
    await phase('read', async () => {
      for (let i = 0; i < count * 5; i++) await requests.read(manager, cookies[i % count]);
      return count * 5;
    });
    await phase('write', async () => {
      for (let i = 0; i < count; i++) await requests.write(manager, cookies[i], i);
      return count;
    });
    // Past the touch throttle (`touchAfter`, 60 s by default): the next read of each session
    // writes its new expiry.
    clock += 61_000;
    await phase('touch', async () => {
      for (const cookie of cookies) await requests.read(manager, cookie);
      return count;
    });
    await phase('logout', async () => {
      for (const cookie of cookies.slice(0, count / 2)) await requests.logout(manager, cookie);
      return count / 2;
    });
    await phase('revokeSession', async () => {
      for (const user of users.slice(count / 2)) {
        const [device] = await manager.listSessions(user);
        if (!(await manager.revokeSession(user, device.id))) throw new Error(`nothing revoked for ${user}`);
      }
      return count / 2;
    });
    // A user signed in on several devices, logged out everywhere at once.
    const everywhere = 'capacity-user-everywhere';
    for (let i = 0; i < REVOKE_ALL_SESSIONS; i++) await requests.login(manager, everywhere);
    await phase('revokeAll', async () => {
      const revoked = await manager.revokeAllSessions(everywhere);
      if (revoked.length !== REVOKE_ALL_SESSIONS) throw new Error(`revoked ${revoked.length} of ${REVOKE_ALL_SESSIONS}`);
      return 1;
    });
    return costs;
  } finally {
    stop();
    await manager.close();
  }
}
