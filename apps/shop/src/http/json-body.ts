/**
 * The JSON body parser: Fastify's own (size-capped, `__proto__` and `constructor.prototype`
 * refused), except that an empty body sent to a route that takes no body is no body.
 *
 * Why: clients made like seed 000's, an HTTP client created with `Content-Type:
 * application/json` for every request (httpx or requests sessions, `curl -H`), post nothing
 * to `/anonymous-login` or `/logout`. FastAPI ignores the body of a route that takes none;
 * Fastify's parser answers 400 for it. A route that does take a body still answers 400
 * `ERR_BAD_JSON` for an empty one: there the client meant to send something. (BI-10)
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';

/** Replaces the `application/json` parser of `app` (call before routes are added). */
export function acceptEmptyJson(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0 && request.routeOptions.schema?.body === undefined) return done(null, undefined);
    // parseAs 'string' hands a string; the parameter's type covers the 'buffer' mode too.
    void parse(request, body as string, done);
  });
}
