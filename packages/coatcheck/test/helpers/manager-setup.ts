// A manager on a controllable clock, over the memory store or a real SQLite file, with every
// store call the manager reports collected. Shared by the lifecycle, store-call and
// store-error tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { sqliteStore } from '@coatcheck/sqlite';
import { createSessionManager, type SessionManagerOptions, type StoreCall } from '../../src/index.js';
import type { SessionStore } from '../../src/store-kit/index.js';
import { memoryStore } from '../../src/store/memory-store.js';

const SECRET = 'unit-secret-5d1f9b3e7a2c6e0f4b8d2a6c9e1f3b7d';
const T0 = Date.UTC(2026, 0, 1);
export const HTTPS = { secure: true } as const;

const dir = mkdtempSync(join(tmpdir(), 'coatcheck-core-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** The stores the lifecycle tests run on: the reference model and a real SQLite file. */
export const STORES: ReadonlyArray<readonly [string, () => SessionStore]> = [
  ['memory', () => memoryStore({ sweepIntervalMs: 0, quiet: true })],
  ['sqlite', () => sqliteStore({ filename: join(dir, `sessions-${files++}.db`), pruneIntervalMs: 0 })],
];

/** A logger that keeps what it is given. */
function recordingLogger() {
  const errors: { message: string; context?: Record<string, unknown> }[] = [];
  return { errors, logger: { warn() {}, error: (message: string, context?: Record<string, unknown>) => void errors.push({ message, context }) } };
}

export type Data = { counter?: number; cart?: string[]; note?: string; [key: string]: unknown };

/**
 * A manager on `store` with a clock the test moves, and the store calls it reported. The
 * history is off unless `overrides` turn it on: the call sequences the tests expect are the
 * session's own (history.test.ts covers the calls the history adds). The cache is off unless
 * `overrides` turn it on too: these tests count store calls, and the SQLite store's default
 * cache would answer some from memory.
 */
export function setup(store: SessionStore, overrides: Partial<SessionManagerOptions> = {}) {
  let t = T0;
  const { errors, logger } = recordingLogger();
  const manager = createSessionManager<Data>({ store, secrets: [SECRET], now: () => t, production: true, logger, history: false, cache: false, ...overrides });
  const calls: StoreCall[] = [];
  manager.onStoreCall((call) => void calls.push(call));
  return {
    manager,
    store,
    calls,
    errors,
    now: () => t,
    advance: (ms: number) => void (t += ms),
    /** `op:outcome` of the calls since the last `take()`. */
    take(): string[] {
      return calls.splice(0).map((c) => `${c.op}:${c.outcome}`);
    },
  };
}

/** The `name=value` pair of a Set-Cookie value. */
export const pair = (cookies: readonly string[]): string => (cookies[0] as string).split(';')[0] as string;

/** Logs `userId` in on a fresh visit; returns the session's id and cookie. */
export async function login(manager: ReturnType<typeof setup>['manager'], userId = 'alice') {
  const session = await manager.load(HTTPS);
  await session.login(userId);
  const cookie = pair(await session.commit());
  return { id: session.id as string, cookie };
}
