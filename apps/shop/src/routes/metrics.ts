/**
 * `GET /metrics`: the Prometheus text format. Registered outside the session scope, so a
 * scrape never loads or writes a session.
 *
 * It is public like `/health`. On a server reachable from the internet, keep it off the
 * public listener (a reverse proxy rule, or a firewall on the scrape path): counts of logins
 * and revocations are operational data.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** What the metrics route needs. */
export interface MetricsRouteDeps {
  readonly registry: Registry;
}

/** Registers `GET /metrics`. */
export function metricsRoutes(app: FastifyInstance, { registry }: MetricsRouteDeps): void {
  app.get('/metrics', async (_request, reply) => {
    reply.header('cache-control', 'no-store').type(registry.contentType);
    return registry.metrics();
  });
}
