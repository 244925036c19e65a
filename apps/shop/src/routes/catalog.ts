/**
 * `GET /items`: the catalogue. Public and the same for everyone, so it is cacheable and sits
 * outside the session scope.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { ITEMS } from '../catalog/items.js';

/** Registers `GET /items`. */
export function catalogRoutes(app: FastifyInstance): void {
  const body = JSON.stringify({ items: ITEMS });
  app.get('/items', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300').type('application/json; charset=utf-8');
    return body;
  });
}
