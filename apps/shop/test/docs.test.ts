import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROUTE_DOCS } from '../src/http/route-docs.js';
import { createShop } from './helpers.js';

interface Operation {
  summary?: string;
  tags?: string[];
  requestBody?: { content: Record<string, { schema: { required?: string[] } }> };
  responses: Record<string, unknown>;
  security?: unknown[];
}

describe('OpenAPI docs', () => {
  it('GET /docs/json describes every API route, with summaries and request schemas', async () => {
    const { app } = await createShop();
    const res = await app.inject({ url: '/docs/json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, Operation>> };
    assert.match(doc.openapi, /^3\./);
    const described = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    assert.deepEqual(described.sort(), Object.keys(ROUTE_DOCS).sort(), 'the documented routes are exactly the API');
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        assert.ok(op.summary, `${method} ${path} has a summary`);
        assert.notDeepEqual(op.tags, ['other'], `${method} ${path} has a tag`);
      }
    }
    const place = doc.paths['/checkout/place']?.post;
    assert.deepEqual(place?.requestBody?.content['application/json']?.schema.required, ['idempotency_key']);
    assert.ok(place?.responses['422'] && place.responses['401'] && place.responses['201']);
    assert.deepEqual(place?.security, [{ sessionCookie: [] }, { bearerAuth: [] }], 'a cookie or a bearer token');
    assert.equal(doc.paths['/login']?.post?.security, undefined);
    assert.ok(doc.paths['/sessions/{id}']?.delete, 'path parameters in OpenAPI form');
  });

  it('GET /docs serves Swagger UI from this server only (works offline)', async () => {
    const { app } = await createShop();
    const page = await app.inject({ url: '/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    const csp = String(page.headers['content-security-policy']);
    assert.doesNotMatch(csp, /https:|upgrade-insecure-requests|validator/);
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    assert.ok(assets.length >= 3);
    for (const asset of assets) {
      assert.match(asset, /^\/docs\//, `${asset} is served locally`);
      assert.equal((await app.inject({ url: asset })).statusCode, 200, asset);
    }
    const init = await app.inject({ url: '/docs/static/swagger-initializer.js' });
    assert.doesNotMatch(init.body.replace(/\/\/.*$/gm, ''), /https?:\/\//, 'no request off this server');
  });
});
