/**
 * The React page: the Vite build in `apps/shop/web/dist`, served at `/` with its hashed
 * assets under `/assets/`. `npm start` builds it when it is missing; if it still is (the
 * build tools were not installed), `/` says how to build it instead of answering 404.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where `vite build` writes the page. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>coatcheck shop</title>
<p>The page is not built yet. Run <code>npm run build -w @coatcheck/shop</code> (or <code>npm start</code>, which builds it when missing), then reload.
<p>The API works meanwhile: see <a href="/docs">/docs</a>.`;

/** Registers the page; `root` is the build output directory. */
export async function webRoutes(app: FastifyInstance, { root }: { root: string }): Promise<void> {
  if (!existsSync(join(root, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    // One route per built file, found at start-up: unknown paths stay this API's JSON 404.
    wildcard: false,
    decorateReply: false,
    index: 'index.html',
    // The headers below decide caching; send's default ("max-age=0") would be added otherwise.
    cacheControl: false,
    // Security headers (the page's CSP among them) come from hardening/security-headers.ts.
    setHeaders(res, path) {
      if (path.endsWith('.html')) {
        // The HTML names the current hashed assets, so it is revalidated on every load.
        res.setHeader('cache-control', 'no-cache');
      } else if (path.includes('/assets/')) {
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      }
    },
  });
}
