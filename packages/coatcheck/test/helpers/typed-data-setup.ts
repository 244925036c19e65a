// What the typed-data tests share: a manager on a store with a `data` option and a logger that
// keeps its warnings, a session started with some data, the data as the store holds it.
import { z } from 'zod';
import { createSessionManager, type DataOptions, type Session, type SessionManagerOptions } from '../../src/index.js';
import type { SessionStore } from '../../src/store-kit/index.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { HTTPS, pair } from './manager-setup.js';

export const SECRET = 'typed-data-secret-3c9e1a7f5b2d8e4c6a0f9b1d3e7c5a2f';
export const Item = z.object({ sku: z.string(), qty: z.number().int().positive() });

export type AnyData = Record<string, any>;

/** A logger that keeps its warnings. */
function recording() {
  const warnings: { message: string; context?: Record<string, unknown> }[] = [];
  return { warnings, logger: { warn: (message: string, context?: Record<string, unknown>) => void warnings.push({ message, context }), error() {} } };
}

/** A manager on `store` with the `data` option (no cache, no history), and the warnings it logged. */
export function manager(store: SessionStore, data?: DataOptions, extra: Partial<SessionManagerOptions> = {}) {
  const { warnings, logger } = recording();
  const sessions = createSessionManager<AnyData>({ store, secrets: [SECRET], production: true, history: false, cache: false, logger, data, ...extra });
  return { sessions, warnings };
}

/** A memory store with no sweeper and no warning. */
export const quietStore = () => memoryStore({ sweepIntervalMs: 0, quiet: true });

/** Starts a session with `data` written by `sessions`; returns its id and cookie. */
export async function start(sessions: { load(request: object): Promise<Session<AnyData>> }, data: Record<string, unknown>) {
  const session = await sessions.load(HTTPS);
  for (const [key, value] of Object.entries(data)) session.set(key, value);
  const cookie = pair(await session.commit());
  return { id: session.id as string, cookie };
}

/** The session's data as the store holds it. */
export const stored = async (store: SessionStore, id: string) => (await store.get(id, Date.now()))?.data;
