// The measurement of bench/encryption-cost.mjs, bundled with our packages like the servers:
// per-operation CPU time of a session read from the store, a read from the local cache and a
// write, each with and without `encryption`, in interleaved batches.
import { randomBytes } from 'node:crypto';
import { createSessionManager } from 'coatcheck';
import { memoryBus } from 'coatcheck/bus';
import { memoryStore } from 'coatcheck/memory';

// A cart and a few preferences: the size of a typical session's data (about 400 bytes of JSON).
const DATA = {
  cart: Array.from({ length: 5 }, (_, i) => ({ sku: `SKU-${1000 + i}`, qty: i + 1, price: 1999 + i })),
  theme: 'dark',
  locale: 'en-GB',
  lastSearch: 'waterproof hiking boots',
  flags: { beta: true, newsletter: false },
};

async function subject(encrypted, cached) {
  const manager = createSessionManager({
    store: memoryStore({ quiet: true, sweepIntervalMs: 0 }),
    secrets: [randomBytes(32).toString('base64url')],
    production: true,
    history: false,
    ...(cached ? { bus: memoryBus(), cache: true } : { cache: false }),
    ...(encrypted ? { encryption: { keys: [randomBytes(32).toString('base64url')] } } : {}),
  });
  const session = await manager.load({ secure: true });
  for (const [key, value] of Object.entries(DATA)) session.set(key, value);
  await session.login('u_42');
  const cookie = (await session.commit())[0].split(';')[0];
  return {
    read: () => manager.load({ cookie, secure: true }),
    async write(i) {
      const s = await manager.load({ cookie, secure: true });
      s.set('n', i);
      await s.commit();
    },
  };
}

async function cpuPerOp(fn, n) {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn(i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

/** Median µs per operation of each case, over `rounds` interleaved batches of `n`. */
export async function measure({ n, rounds }) {
  const cases = [
    ['store read, plain', await subject(false, false), 'read'],
    ['store read, encrypted', await subject(true, false), 'read'],
    ['cached read, plain', await subject(false, true), 'read'],
    ['cached read, encrypted', await subject(true, true), 'read'],
    ['write (read + commit), plain', await subject(false, false), 'write'],
    ['write (read + commit), encrypted', await subject(true, false), 'write'],
  ];
  const samples = cases.map(() => []);
  for (const [, s, op] of cases) await cpuPerOp(s[op], n); // warm-up
  for (let r = 0; r < rounds; r++) for (const [i, [, s, op]] of cases.entries()) samples[i].push(await cpuPerOp(s[op], n));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return cases.map(([label], i) => [label, median(samples[i])]);
}
