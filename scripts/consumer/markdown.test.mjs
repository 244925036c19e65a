// The consumer test's Markdown reading: blocks after a marker, install lines, failures that point
// at the Markdown line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectApps, packageName, parseInstall } from './markdown.mjs';

function withDoc(text, check) {
  const dir = mkdtempSync(join(tmpdir(), 'consumer-md-'));
  try {
    const file = join(dir, 'guide.md');
    writeFileSync(file, text);
    return check([file], dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('consumer Markdown blocks', () => {
  it('takes the fenced block right after a marker as the app file, and the install block apart', () => {
    const doc = [
      'Intro',
      '',
      '<!-- consumer: demo/install -->',
      '```sh',
      'npm install coatcheck fastify',
      '```',
      '',
      '<!-- consumer: demo/server.ts -->',
      '```ts',
      "import Fastify from 'fastify'",
      '```',
      '',
      '```ts',
      'unmarked()',
      '```',
    ].join('\n');
    withDoc(doc, (files, root) => {
      const apps = collectApps(files, root);
      assert.deepEqual([...apps.keys()], ['demo']);
      const demo = apps.get('demo');
      assert.equal(demo.files.get('server.ts').text, "import Fastify from 'fastify'\n");
      assert.equal(demo.files.get('server.ts').source, 'guide.md:8');
      assert.deepEqual(parseInstall(demo.install), ['coatcheck', 'fastify']);
    });
  });

  it('refuses a marker not followed by a fence, naming the file and line', () => {
    withDoc('<!-- consumer: demo/server.ts -->\n\n```ts\nx\n```\n', (files, root) => {
      assert.throws(() => collectApps(files, root), /guide\.md:1: the consumer marker for demo\/server\.ts must be followed directly by a fenced code block/);
    });
  });

  it('refuses the same app file twice', () => {
    const block = '<!-- consumer: demo/a.ts -->\n```ts\nx\n```\n';
    withDoc(`${block}\n${block}`, (files, root) => {
      assert.throws(() => collectApps(files, root), /guide\.md:6: demo\/a\.ts is given twice \(first at guide\.md:1\)/);
    });
  });

  it('reads every npm install of a chained line, without flags or comments', () => {
    const specs = parseInstall({ text: '$ npm install coatcheck redis@5 && npm i -D typescript @types/node # dev tools\n', source: 'x' });
    assert.deepEqual(specs, ['coatcheck', 'redis@5', 'typescript', '@types/node']);
    assert.throws(
      () => parseInstall({ text: 'npx tsx server.ts\n', source: 'guide.md:3' }),
      /guide\.md:3: the install block has no `npm install <packages>` line/,
    );
  });

  it('names packages without their ranges', () => {
    assert.equal(packageName('@coatcheck/redis@^0.2'), '@coatcheck/redis');
    assert.equal(packageName('redis@5'), 'redis');
    assert.equal(packageName('hono'), 'hono');
  });
});
