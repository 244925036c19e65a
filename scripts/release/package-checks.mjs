// Checks of one packed package that publint and attw do not make: what its public
// declarations import and whether a user's install provides it, what the README promises,
// the release metadata, and whether its maps point at files the tarball ships.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, dirname, relative, sep } from 'node:path';
import ts from 'typescript';
import { root, readManifest, siblingRanges } from './workspace.mjs';
import { ESM_ONLY_NOTE as NODE10_FALLBACK } from './write-esm-only-note.mjs';

// Builds the package and its references, then writes the node10 fallback declaration.
const PREPACK = 'tsc --build && node ../../scripts/release/write-esm-only-note.mjs';

const REPOSITORY_URL = 'git+https://github.com/coatcheck/coatcheck.git';
const builtins = new Set(builtinModules);

/** Every file below `dir`, as paths relative to it with forward slashes. */
function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path, base) : [relative(base, path).split(sep).join('/')];
  });
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The DefinitelyTyped name of a package: `@types/pg`, `@types/scope__name`. */
function typesPackageOf(name) {
  return `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
}

/** Whether an installed package ships its own declarations. */
function shipsTypes(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifestPath = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifestPath)) {
      const manifest = readManifest(manifestPath);
      const exportsText = JSON.stringify(manifest.exports ?? {});
      return Boolean(manifest.types || manifest.typings || exportsText.includes('"types"') || existsSync(join(dirname(manifestPath), 'index.d.ts')));
    }
    if (dir === dirname(dir)) return null;
  }
}

/** Every file path the `exports` map points at (its values, not its keys). */
function exportTargets(exportsField) {
  if (typeof exportsField === 'string') return [exportsField];
  if (exportsField === null || typeof exportsField !== 'object') return [];
  return Object.values(exportsField).flatMap(exportTargets);
}

/** The bare specifiers a declaration file imports, references or augments (comments ignored). */
function declarationImports(text) {
  const info = ts.preProcessFile(text, true, true);
  const specifiers = [...info.importedFiles, ...info.typeReferenceDirectives].map((ref) => ref.fileName);
  // `declare module 'x'` augmentations are imports too: they need x's types to merge into.
  for (const match of text.matchAll(/^\s*declare module ['"]([^'"]+)['"]/gm)) specifiers.push(match[1]);
  return specifiers.filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('/'));
}

/** The fenced block right after `<!-- consumer: app/file -->`, or null. */
export function markedBlock(markdown, marker) {
  const at = markdown.indexOf(`<!-- consumer: ${marker} -->`);
  if (at === -1) return null;
  const fence = /^```[a-z]*\n([\s\S]*?)^```/m.exec(markdown.slice(at));
  return fence ? fence[1] : null;
}

/** Package names on the `npm install` lines of an install block (flags skipped). */
export function installedNames(block) {
  const names = new Set();
  for (const line of block.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== 'npm' || !['install', 'i', 'add'].includes(words[1])) continue;
    for (const word of words.slice(2)) if (!word.startsWith('-')) names.add(word.replace(/(?!^)@[^/]*$/, ''));
  }
  return names;
}

/**
 * Checks an unpacked tarball (`dir`) of the workspace package `pkg`; `version` is the one
 * every public package must have. Returns a list of problems (empty when clean).
 */
export function checkUnpacked(pkg, dir, version) {
  const problems = [];
  const fail = (message) => problems.push(message);
  const manifest = readManifest(join(dir, 'package.json'));
  const files = new Set(listFiles(dir));
  const shortDir = pkg.rel.split('/').pop();

  // Release metadata.
  if (manifest.version !== version) fail(`version ${manifest.version}, expected ${version} like every public package`);
  if (manifest.license !== 'MIT') fail('license is not MIT');
  if (manifest.repository?.url !== REPOSITORY_URL || manifest.repository?.directory !== pkg.rel)
    fail(`repository must be { type: git, url: ${REPOSITORY_URL}, directory: ${pkg.rel} }`);
  if (!manifest.homepage?.startsWith('https://github.com/coatcheck/coatcheck')) fail('homepage must be the package guide on GitHub');
  if (!manifest.bugs?.url) fail('bugs.url missing');
  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0) fail('keywords missing');
  if (manifest.engines?.node !== '>=20.19') fail('engines.node must be ">=20.19"');
  if (manifest.publishConfig?.access !== 'public') fail('publishConfig.access must be "public" (scoped packages are private by default)');
  if (manifest.scripts?.prepack !== PREPACK) fail(`prepack must be "${PREPACK}"`);
  for (const [field, name, range] of siblingRanges(manifest)) {
    if (range !== `^${version}`) fail(`${field}.${name} is "${range}", expected "^${version}"`);
  }

  // Contents: licence, readme, every export target, the node10 fallback, no tests.
  if (readFileSync(join(dir, 'LICENSE'), 'utf8') !== readFileSync(join(root, 'LICENSE'), 'utf8')) fail('LICENSE differs from the repository LICENSE');
  if (!files.has('README.md')) fail('README.md missing');
  for (const target of exportTargets(manifest.exports)) {
    if (!files.has(target.slice(2))) fail(`exports target ${target} is not in the tarball`);
  }
  if (!files.has(NODE10_FALLBACK)) fail(`${NODE10_FALLBACK} (the node10 answer) is not in the tarball`);
  for (const file of files) if (/\.test\.[cm]?[jt]s$|(^|\/)test\//.test(file)) fail(`test file shipped: ${file}`);

  // Maps must point at shipped files, or "go to definition" and stack traces lead nowhere.
  for (const file of [...files].filter((f) => f.endsWith('.map'))) {
    const map = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    for (const source of map.sources) {
      const target = relative(dir, join(dir, dirname(file), map.sourceRoot ?? '', source))
        .split(sep)
        .join('/');
      if (!files.has(target)) fail(`${file} points at ${target}, which is not shipped`);
    }
  }

  // README: the marked install line and example, and what they must contain.
  const readme = files.has('README.md') ? readFileSync(join(dir, 'README.md'), 'utf8') : '';
  const install = markedBlock(readme, `pkg-${shortDir}/install`);
  const example = markedBlock(readme, `pkg-${shortDir}/example.ts`);
  if (install === null) fail(`README has no <!-- consumer: pkg-${shortDir}/install --> block`);
  if (example === null) fail(`README has no <!-- consumer: pkg-${shortDir}/example.ts --> block`);
  const installed = installedNames(install ?? '');
  if (!installed.has(manifest.name)) fail(`the README install line does not install ${manifest.name}`);
  for (const specifier of declarationImports(example ?? '')) {
    const name = packageNameOf(specifier);
    if (specifier.startsWith('node:') || builtins.has(name)) continue;
    if (!installed.has(name)) fail(`the README example imports ${specifier}, which its install line does not install`);
  }
  if (/process\.env/.test(example ?? '') && !installed.has('@types/node')) fail('the README example uses process.env but the install line has no @types/node');
  if (!/Node\.js 20\.19\+, 22, 24 or 26/.test(readme)) fail('README does not state the Node versions (20.19+, 22, 24 or 26)');
  if (!/"moduleResolution": "bundler"/.test(readme) || !/"module": "nodenext"/.test(readme)) fail('README does not give the TypeScript module settings');
  if (installed.has('@types/node') && !readme.includes('"types": ["node"]'))
    fail('README does not say to list "types": ["node"] (TypeScript 6+ loads no @types by default)');
  if (!readme.includes('https://github.com/coatcheck/coatcheck/blob/main/docs/') && !readme.includes('https://github.com/coatcheck/coatcheck#readme'))
    fail('README does not link to its guide');

  // Declarations: every package they import must reach a user who follows the install line.
  const provided = { ...manifest.dependencies, ...manifest.peerDependencies };
  const needs = new Set();
  for (const file of [...files].filter((f) => f.endsWith('.d.ts'))) {
    for (const specifier of declarationImports(readFileSync(join(dir, file), 'utf8'))) needs.add(specifier);
  }
  // A peer belongs on the install line, unless it is optional and the declarations do not
  // import it: one of several clients a user picks from (redis, ioredis, iovalkey).
  const optionalPeers = new Set(Object.keys(manifest.peerDependenciesMeta ?? {}).filter((n) => manifest.peerDependenciesMeta[n].optional));
  const imported = new Set([...needs].map(packageNameOf));
  for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
    if (installed.has(peer) || (optionalPeers.has(peer) && !imported.has(peer))) continue;
    fail(`peer ${peer}${optionalPeers.has(peer) ? ' (optional, needed by the declarations)' : ''} is not on the README install line`);
  }
  for (const specifier of needs) {
    const name = packageNameOf(specifier);
    if (name === manifest.name) continue;
    if (specifier.startsWith('node:') || builtins.has(name) || name === 'node') {
      if (!installed.has('@types/node')) fail(`declarations import ${specifier} but the README install line has no @types/node`);
      continue;
    }
    if (!(name in provided)) {
      fail(`declarations import ${specifier}, which is neither a dependency nor a peer`);
      continue;
    }
    if (shipsTypes(name, pkg.dir)) continue;
    const typesName = typesPackageOf(name);
    if (manifest.dependencies?.[typesName]) continue;
    if (manifest.peerDependencies?.[typesName] && installed.has(typesName)) continue;
    fail(`declarations import ${specifier}, which has no types of its own: make ${typesName} a dependency, or a peer on the install line`);
  }
  return problems;
}
