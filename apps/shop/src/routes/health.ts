/**
 * `GET /health`: a round trip to every backing service, each with its latency. Registered
 * outside the session scope, so a probe never loads or writes a session and never gets a
 * cookie. 503 when any service is down.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { SqliteConnection } from '@coatcheck/sqlite';
import type { SessionManager } from 'coatcheck';
import type { SessionBus } from 'coatcheck/bus';

/** What the health route needs. */
export interface HealthRouteDeps {
  readonly manager: Pick<SessionManager, 'ping' | 'store'>;
  readonly bus: Pick<SessionBus, 'ping' | 'name' | 'state'> | null;
  readonly db: Pick<SqliteConnection, 'prepare' | 'isOpen'>;
}

type Check = { status: 'ok'; latencyMs: number } | { status: 'down'; error: string };

async function measure(run: () => Promise<unknown> | unknown): Promise<Check> {
  const started = performance.now();
  await run();
  return { status: 'ok', latencyMs: Math.round((performance.now() - started) * 100) / 100 };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ERR_SERVICE_DOWN';
}

/** Registers `GET /health`. */
export function healthRoutes(app: FastifyInstance, { manager, bus, db }: HealthRouteDeps): void {
  const users = db.prepare('SELECT 1');
  const probes: Record<string, () => Promise<unknown> | unknown> = {
    store: () => manager.ping(),
    // A closed connection is a down service on either driver (node:sqlite would report it
    // with Node's own ERR_INVALID_STATE, better-sqlite3 with no code at all).
    users: () => {
      if (!db.isOpen) throw new Error('the SQLite connection is closed');
      return users.get();
    },
  };
  if (bus) probes.bus = () => bus.ping();

  app.get('/health', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const checks: Record<string, Check & { service?: string }> = {};
    await Promise.all(
      Object.entries(probes).map(async ([name, probe]) => {
        try {
          checks[name] = await measure(probe);
        } catch (error) {
          // The driver's message goes to the log; the probe gets the stable code only.
          request.log.error({ err: error, service: name }, 'health: service is down');
          checks[name] = { status: 'down', error: codeOf(error) };
        }
      }),
    );
    // Which backend serves a healthy check helps operators; a failed one says only its code.
    if (checks.store?.status === 'ok') checks.store.service = manager.store.name;
    if (checks.bus?.status === 'ok' && bus) checks.bus.service = bus.name;
    const healthy = Object.values(checks).every((check) => check.status === 'ok');
    if (!healthy) reply.code(503).header('retry-after', '5');
    return { status: healthy ? 'ok' : 'unavailable', checks };
  });
}
