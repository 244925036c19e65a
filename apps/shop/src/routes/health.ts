/**
 * `GET /health`: a round trip to every backing service. Registered outside the session
 * scope, so a probe never loads or writes a session and never gets a cookie.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { SessionManager } from 'coatcheck';

/** What the health route needs. */
export interface HealthRouteDeps {
  readonly manager: Pick<SessionManager, 'ping'>;
}

/** Registers `GET /health`. */
export function healthRoutes(app: FastifyInstance, { manager }: HealthRouteDeps): void {
  app.get('/health', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    try {
      const latency = await manager.ping();
      return { status: 'ok', checks: { store: { status: 'ok', latencyMs: Math.round(latency * 100) / 100 } } };
    } catch (error) {
      // The driver's message goes to the log; the probe gets the stable code only.
      request.log.error({ err: error }, 'health: session store is down');
      const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'ERR_STORE_DOWN';
      reply.code(503).header('retry-after', '5');
      return { status: 'unavailable', checks: { store: { status: 'down', error: code } } };
    }
  });
}
