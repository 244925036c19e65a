// The capacity model's arithmetic, on a small invented measurement, and docs/scaling.md against
// what the script makes of the committed one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ASSUMPTIONS, END, START, computeRow, readCpuPerRequest, regenerate, renderSection, replaceSection } from './table.mjs';

const cost = (read, write, touch, revokeSession, extra = {}) => ({ read, write, touch, revokeSession, login: 0, logout: 0, revokeAll: 0, ...extra });
const redisCost = (commands, bus, bytes) => ({ redisCommands: commands, busMessages: bus, redisBytesIn: bytes, redisBytesOut: bytes, storeCalls: 1 });

/** Round numbers, so each expected value below is its formula, checkable by hand. */
const fixture = {
  measuredAt: '2000-01-01',
  node: 'v0',
  redis: '0',
  postgres: '0 (test)',
  counts: { sessions: 10, requests: 10, sockets: 10, revokeAllSessions: 5 },
  session: { dataBytes: 100, redisValueBytes: 300 },
  bytesPerSession: { redis: 500, postgres: 800, postgresFresh: 700, postgresIndexes: 100, sqlite: 400 },
  requests: {
    redis: {
      read: redisCost(1, 0, 100),
      write: redisCost(3, 1, 400),
      touch: redisCost(4, 0, 300),
      revokeSession: redisCost(6, 1, 500),
      login: redisCost(5, 1, 500),
      logout: redisCost(5, 1, 500),
      revokeAll: redisCost(30, 1, 2000),
    },
    postgres: Object.fromEntries(Object.entries(cost(1, 2, 2, 3)).map(([kind, calls]) => [kind, { storeCalls: calls }])),
  },
  busBytesPerMessage: 150,
  cacheBytesPerSession: 1000,
  socketBytes: 10_000,
};

describe('the capacity table', () => {
  it('computes the store load from the request mix, with touches bounded by the throttle', () => {
    const a = ASSUMPTIONS;
    const sessions = 1e6;
    const rate = 1e5;
    const row = computeRow(fixture, 20, a, sessions, rate);
    const reads = rate * (1 - a.writeShare);
    const writes = rate * a.writeShare;
    const ends = rate * a.endsPerRequest;
    // 1M sessions touch at most 1M / 60 s times a second, fewer than the reads.
    const touches = sessions / a.touchAfterSeconds;
    assert.ok(touches < reads);
    const bus = writes * 1 + ends * 1;
    assert.equal(row.busMessages, bus);
    assert.equal(row.redisOps, reads * 1 + writes * 3 + touches * (4 - 1) + ends * 6 + bus);
    assert.equal(row.storeNetwork, reads * 200 + writes * 800 + touches * (600 - 200) + ends * 1000);
    assert.equal(row.postgresQueries, reads * 1 + writes * 2 + touches * (2 - 1) + ends * 3);
    assert.equal(row.redisMemory, sessions * 500 * a.redisMemoryOverhead);
    assert.equal(row.postgresDisk, sessions * 800);
  });

  it('sizes instances by CPU or by sockets, whichever needs more, and the fan-out by instances', () => {
    const a = ASSUMPTIONS;
    const byCpu = computeRow(fixture, 20, a, 1e6, 1e6);
    assert.equal(byCpu.cpuInstances, Math.ceil((1e6 * 20e-6) / a.cpuUtilization));
    assert.equal(byCpu.instances, byCpu.cpuInstances);
    assert.equal(byCpu.busDeliveries, byCpu.busMessages * byCpu.instances);
    assert.equal(byCpu.busNetwork, byCpu.busDeliveries * 150);
    const bySockets = computeRow(fixture, 20, a, 1e8, 1e4);
    const sockets = 1e8 * a.socketShare;
    assert.equal(bySockets.socketInstances, Math.ceil((sockets * 10_000) / a.socketMemoryPerInstance));
    assert.equal(bySockets.instances, bySockets.socketInstances);
    assert.ok(bySockets.socketMemoryPerInstance <= a.socketMemoryPerInstance);
    // Few requests per instance: the cache holds what one TTL brings, not maxEntries.
    assert.equal(bySockets.cachePerInstance, (1e4 / bySockets.instances) * a.cacheTtlSeconds * 1000);
    assert.equal(byCpu.cachePerInstance, a.cacheMaxEntries * 1000);
    const small = computeRow(fixture, 20, a, 1e3, 10);
    assert.equal(small.instances, a.minInstances);
  });

  it('takes the shards that the commands or the memory need, at least one', () => {
    const a = ASSUMPTIONS;
    const busy = computeRow(fixture, 20, a, 1e6, 1e6);
    assert.equal(busy.shardsForOps, Math.ceil(busy.redisOps / a.redisOpsPerShard));
    assert.equal(busy.shards, Math.max(busy.shardsForOps, busy.shardsForMemory));
    const big = computeRow(fixture, 20, { ...a, redisOpsPerShard: 1e9 }, 1e8, 1e4);
    assert.equal(big.shards, Math.ceil((1e8 * 500 * a.redisMemoryOverhead) / a.redisMemoryPerShard));
    assert.equal(computeRow(fixture, 20, { ...a, redisOpsPerShard: 1e12 }, 10, 10).shards, 1);
  });

  it('reads the CPU per request from the benchmarks table, and says so when the row is gone', () => {
    const table = '| variant | req/s | p99 ms | server CPU µs/req |\n|---|---:|---:|---:|\n| coatcheck, Redis store | 37,216 | 3.63 | 26.2 | 1.00 |\n';
    assert.equal(readCpuPerRequest(table), 26.2);
    assert.throws(() => readCpuPerRequest('| other | 1 | 2 | 3 |'), /coatcheck, Redis store/);
  });

  it('replaces only the text between the markers, and refuses a doc without them', () => {
    const section = renderSection(fixture, 20);
    assert.ok(section.startsWith(START) && section.endsWith(END));
    assert.equal(section.split('\n').filter((line) => /^\| [0-9.]+M \|/.test(line)).length, 9);
    const doc = `before\n${START}\nold\n${END}\nafter\n`;
    assert.equal(replaceSection(doc, section), `before\n${section}\nafter\n`);
    assert.throws(() => replaceSection('no markers', section), /markers/);
  });

  it('docs/scaling.md holds the table of docs/capacity/measured.json (run node scripts/capacity/table.mjs)', () => {
    const { current, next } = regenerate();
    assert.equal(current, next);
  });
});
