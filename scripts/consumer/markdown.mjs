// Collects the Markdown blocks a consumer test uses: a fenced block right after a line
// `<!-- consumer: APP/FILE -->` is the file FILE of the scratch app APP. FILE `install` is the
// app's `npm install …` line. Taking the code from the Markdown itself means the docs and the
// test cannot drift apart.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const MARKER = /^<!--\s*consumer:\s*([a-z0-9][a-z0-9-]*)\/([A-Za-z0-9._/-]+)\s*-->\s*$/;
const FENCE = /^(\s*)(`{3,}|~{3,})/;

/** The Markdown files that may hold consumer blocks: the README, docs/, every package README. */
export function listDocs(root) {
  const files = [join(root, 'README.md')];
  for (const dir of ['docs']) {
    const path = join(root, dir);
    if (existsSync(path)) for (const name of readdirSync(path).sort()) if (name.endsWith('.md')) files.push(join(path, name));
  }
  const packages = join(root, 'packages');
  for (const name of readdirSync(packages).sort()) {
    const readme = join(packages, name, 'README.md');
    if (existsSync(readme)) files.push(readme);
  }
  return files.filter((file) => existsSync(file));
}

/**
 * Reads every marked block of `files`. Returns Map<app, { files: Map<name, {text, source}>, install?: {text, source} }>.
 * Throws on a marker without a fence on the next line, or a file given twice.
 */
export function collectApps(files, root) {
  const apps = new Map();
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const marker = MARKER.exec(lines[i].trim());
      if (!marker) continue;
      const [, app, name] = marker;
      const source = `${relative(root, file)}:${i + 1}`;
      const open = FENCE.exec(lines[i + 1] ?? '');
      if (!open) throw new Error(`${source}: the consumer marker for ${app}/${name} must be followed directly by a fenced code block`);
      const [, indent, fence] = open;
      const body = [];
      let j = i + 2;
      for (; j < lines.length; j++) {
        if (lines[j].trim().startsWith(fence[0].repeat(fence.length)) && lines[j].trim().replace(/[`~]/g, '') === '') break;
        body.push(indent && lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
      }
      if (j === lines.length) throw new Error(`${source}: the code block for ${app}/${name} is not closed`);
      const entry = apps.get(app) ?? { files: new Map(), install: undefined };
      apps.set(app, entry);
      const block = { text: `${body.join('\n')}\n`, source };
      if (name === 'install') {
        if (entry.install) throw new Error(`${source}: ${app} has a second install block (first at ${entry.install.source})`);
        entry.install = block;
      } else {
        const first = entry.files.get(name);
        if (first) throw new Error(`${source}: ${app}/${name} is given twice (first at ${first.source})`);
        entry.files.set(name, block);
      }
      i = j;
    }
  }
  return apps;
}

/** The packages named by an install block's `npm install` lines (flags dropped, `name@range` kept as written). */
export function parseInstall(block) {
  const specs = [];
  const text = block.text.replace(/\\\n/g, ' ');
  for (const line of text.split('\n')) {
    for (const command of line.replace(/^\s*\$\s*/, '').split(/&&|;|\|\|/)) {
      const match = /^\s*npm\s+(?:install|i|add)\s+(.*)$/.exec(command);
      if (!match) continue;
      for (const token of match[1].trim().split(/\s+/)) {
        if (token.startsWith('#')) break;
        if (token && !token.startsWith('-')) specs.push(token);
      }
    }
  }
  if (specs.length === 0) throw new Error(`${block.source}: the install block has no \`npm install <packages>\` line`);
  return specs;
}

/** `@scope/name@^1` → `@scope/name`; `name@1` → `name`. */
export function packageName(spec) {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  return at === -1 ? spec : spec.slice(0, at);
}
