/**
 * The OpenAPI description (`GET /docs/json`) and interactive docs (`GET /docs`), generated
 * from the routes' JSON schemas by `@fastify/swagger`, with prose from `route-docs.ts`.
 * `@fastify/swagger-ui` ships the Swagger UI assets inside the package, so the docs work
 * without internet access.
 *
 * Register it before any route: it collects routes as they are added.
 *
 * @module
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ROUTE_DOCS } from './route-docs.js';

const errorBody = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
} as const;

const validationBody = {
  type: 'object',
  description: 'FastAPI-style validation failure',
  properties: {
    detail: {
      type: 'array',
      items: {
        type: 'object',
        properties: { loc: { type: 'array', items: { type: ['string', 'integer'] } }, msg: { type: 'string' }, type: { type: 'string' } },
      },
    },
  },
} as const;

// Fastify's ":id" is OpenAPI's "{id}".
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function describeRoute(method: string, url: string, schema: FastifySchema | undefined): FastifySchema & Record<string, unknown> {
  const doc = ROUTE_DOCS[`${method} ${openApiPath(url)}`];
  if (!doc) return { ...schema, tags: ['other'] };
  const response: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(doc.responses)) {
    response[status] = Number(status) >= 400 ? { description, ...errorBody } : { description, type: 'object' };
  }
  if (schema?.body) response['422'] = { ...validationBody, description: 'A field is missing, has the wrong type or breaks a rule' };
  if (doc.auth) response['401'] = { description: '`ERR_NOT_AUTHENTICATED`', ...errorBody };
  return {
    ...schema,
    summary: doc.summary,
    tags: [doc.tag],
    ...(doc.description ? { description: doc.description } : {}),
    ...(doc.auth ? { security: [{ sessionCookie: [] }, { bearerAuth: [] }] } : {}),
    response,
  };
}

/** Registers `/docs` (UI) and `/docs/json` (the OpenAPI 3 document). */
export async function openApiDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'coatcheck shop',
        version: '0.1.0',
        description:
          'The reference app of coatcheck: server-side sessions behind a signed cookie. JSON only; errors are `{"error": {"code", "message"}}` and validation failures `422 {"detail": [...]}`. Log in with `POST /login`; the browser keeps the cookie, so "Try it out" works from this page.',
      },
      components: {
        securitySchemes: {
          // The name the browser sees: `__Host-sid` over HTTPS, `sid` on plain http://localhost.
          sessionCookie: { type: 'apiKey', in: 'cookie', name: '__Host-sid', description: '`sid` on plain-HTTP localhost' },
          // Every session route also takes an access token from POST /token; the header wins.
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
      tags: [
        { name: 'auth', description: 'Register, log in (with remember-me), log out' },
        { name: 'account', description: 'Who am I, step-up, password change' },
        { name: 'cart', description: 'Catalogue and the cart, kept through login' },
        { name: 'checkout', description: 'Multi-step checkout kept in the session; idempotent "place order"' },
        { name: 'devices', description: 'My sessions: list, revoke one, revoke the others' },
        { name: 'admin', description: 'View the shop as another user' },
        { name: 'tokens', description: 'Bearer mode for SPAs and mobile apps: access and refresh tokens bound to sessions' },
        { name: 'operations', description: 'Health and metrics' },
      ],
    },
    transform: ({ schema, url, route }) => {
      const method = Array.isArray(route.method) ? String(route.method[0]) : String(route.method);
      return { schema: describeRoute(method, url, schema), url };
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Everything from this origin. The plugin's default policy also allows https: fonts and
    // styles, the online validator, and "upgrade-insecure-requests", which would send the
    // assets of http://localhost to https. Inline styles are allowed: Swagger UI sets a few
    // style attributes, and this page shows no user content.
    staticCSP:
      "default-src 'self'; base-uri 'self'; font-src 'self' data:; frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'",
    // No badge from validator.swagger.io: the docs make no request off this server.
    uiConfig: { docExpansion: 'list', deepLinking: false, tryItOutEnabled: false, validatorUrl: null },
  });
}

// What fastify-plugin would set: the swagger hooks must see routes added on the root.
(openApiDocs as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
