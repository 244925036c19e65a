// The consumer test's import check: every bare import in the install line, @types where the
// package has no types, @types/node for TypeScript using Node.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkImports, importsOf, typesPackage } from './check.mjs';

function scratchWith(packages) {
  const scratch = mkdtempSync(join(tmpdir(), 'consumer-check-'));
  for (const [name, manifest] of Object.entries(packages)) {
    mkdirSync(join(scratch, 'node_modules', name), { recursive: true });
    writeFileSync(join(scratch, 'node_modules', name, 'package.json'), JSON.stringify({ name, ...manifest }));
  }
  return scratch;
}

describe('consumer import check', () => {
  it('finds bare imports and Node use, not relative paths or builtins', () => {
    const found = importsOf(
      "import a from 'fastify'\nimport { b } from '@coatcheck/sqlite'\nimport './local.js'\nimport { readFileSync } from 'node:fs'\nconst c = await import('hono/cookie')\n",
    );
    assert.deepEqual([...found.packages].sort(), ['@coatcheck/sqlite', 'fastify', 'hono']);
    assert.equal(found.usesNode, true);
  });

  it('reports an import missing from the install line, and a missing @types package', () => {
    const scratch = scratchWith({ express: {}, fastify: { types: 'index.d.ts' } });
    try {
      const files = new Map([
        [
          'server.ts',
          { text: "import express from 'express'\nimport Fastify from 'fastify'\nimport { x } from 'hono'\nprocess.env.PORT\n", source: 'docs/x.md:10' },
        ],
      ]);
      const problems = checkImports({ app: 'demo', files, installNames: new Set(['express', 'fastify']), scratch });
      assert.deepEqual(problems, [
        "docs/x.md:10: demo/server.ts imports 'hono', which its install line does not install",
        "demo imports 'express', which has no types of its own: its install line needs @types/express",
        "demo uses Node's API in TypeScript: its install line needs @types/node",
      ]);
      assert.deepEqual(
        checkImports({ app: 'demo', files, installNames: new Set(['express', '@types/express', 'fastify', 'hono', '@types/node']), scratch }),
        [],
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('does not ask JavaScript apps for @types', () => {
    const scratch = scratchWith({ express: {} });
    try {
      const files = new Map([['server.js', { text: "import express from 'express'\nprocess.env.PORT\n", source: 'README.md:1' }]]);
      assert.deepEqual(checkImports({ app: 'demo-js', files, installNames: new Set(['express']), scratch }), []);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('maps scoped packages to their @types name', () => {
    assert.equal(typesPackage('@hono/node-server'), '@types/hono__node-server');
    assert.equal(typesPackage('express'), '@types/express');
  });
});
