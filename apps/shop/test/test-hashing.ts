// Cheap password hashing for the tests that start the shop in-process, which register and
// log in hundreds of times: N=2^10 (128 KiB, about a millisecond) instead of the production
// N=2^17 (128 MiB, a few hundred milliseconds), which made hashing most of the shop suite's
// time. The production cost, the rehash on login and the bound are tested in
// password.test.ts. The queue is deep enough for the tests' own bursts of concurrent logins,
// which come from one address (inject's default), so the share of one client is too.
import type { PasswordHasherOptions } from '../src/users/password.js';

export const TEST_HASHING: PasswordHasherOptions = Object.freeze({
  params: { N: 2 ** 10, r: 8, p: 1 },
  concurrency: 4,
  maxQueued: 1024,
  maxQueuedPerClient: 1024,
});
