// Static checks of each scratch app: every bare import is in the app's install line (with
// `@types/…` for a TypeScript app importing a package without types of its own), and the
// TypeScript files compile under strict / nodenext / skipLibCheck false.
import { builtinModules } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './exec.mjs';

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;
const BUILTINS = new Set(builtinModules);

/** True for a TypeScript source file. */
export const isTypeScript = (name) => /\.(mts|cts|tsx?)$/.test(name) && !name.endsWith('.d.ts');
/** True for a file the app runs or compiles. */
export const isCode = (name) => /\.(mts|cts|tsx?|mjs|cjs|js)$/.test(name);

/** The package names a source text imports (bare specifiers only), and whether it uses Node's own modules. */
export function importsOf(text) {
  const packages = new Set();
  let usesNode = /\bprocess\.|\bBuffer\b/.test(text);
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3] ?? match[4];
    if (specifier.startsWith('.') || specifier.startsWith('/')) continue;
    if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0])) {
      usesNode = true;
      continue;
    }
    const parts = specifier.split('/');
    packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return { packages, usesNode };
}

/** `@scope/name` → `@types/scope__name`. */
export function typesPackage(name) {
  return `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
}

function hasOwnTypes(scratch, name) {
  const dir = join(scratch, 'node_modules', name);
  const file = join(dir, 'package.json');
  // Not installed: the type-check reports it; asking for @types would mislead.
  if (!existsSync(file)) return true;
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  if (manifest.types || manifest.typings) return true;
  if (manifest.exports && JSON.stringify(manifest.exports).includes('"types"')) return true;
  return existsSync(join(dir, 'index.d.ts'));
}

/** Problems with the app's imports against its install line, as sentences. */
export function checkImports({ app, files, installNames, scratch }) {
  const problems = [];
  const needed = new Set();
  let typescript = false;
  let usesNode = false;
  for (const [name, block] of files) {
    if (!isCode(name)) continue;
    const found = importsOf(block.text);
    for (const pkg of found.packages) {
      if (!installNames.has(pkg)) problems.push(`${block.source}: ${app}/${name} imports '${pkg}', which its install line does not install`);
      if (isTypeScript(name)) needed.add(pkg);
    }
    if (isTypeScript(name)) {
      typescript = true;
      usesNode ||= found.usesNode;
    }
  }
  if (typescript) {
    for (const pkg of needed) {
      if (!installNames.has(pkg) || hasOwnTypes(scratch, pkg)) continue;
      const types = typesPackage(pkg);
      if (!installNames.has(types)) problems.push(`${app} imports '${pkg}', which has no types of its own: its install line needs ${types}`);
    }
    if (usesNode && !installNames.has('@types/node')) problems.push(`${app} uses Node's API in TypeScript: its install line needs @types/node`);
  }
  return problems;
}

/** The compiler options every TypeScript app is checked with (shared with the workspace's doc-app tests). */
export const COMPILER_OPTIONS = readCompilerOptions();

function readCompilerOptions() {
  const { '//': _comment, ...options } = JSON.parse(readFileSync(new URL('./compiler-options.json', import.meta.url), 'utf8'));
  return Object.freeze(options);
}

/**
 * Type-checks the app's TypeScript files with the scratch project's own `typescript`. An app may
 * give its own tsconfig.json block (the docs' recommended one); the options above always win.
 * Without one, `types: ["node"]` is set when the install line has @types/node: TypeScript 6+
 * no longer includes every @types package by default, so that is what a user's tsconfig says.
 */
export function typecheckApp({ appDir, scratch, files, installNames }) {
  const own = files.get('tsconfig.json');
  const base = own ? JSON.parse(own.text) : { compilerOptions: installNames.has('@types/node') ? { types: ['node'] } : {} };
  const config = { ...base, compilerOptions: { ...base.compilerOptions, ...COMPILER_OPTIONS }, include: base.include ?? ['**/*.ts', '**/*.mts', '**/*.tsx'] };
  writeFileSync(join(appDir, 'tsconfig.json'), `${JSON.stringify(config, null, 2)}\n`);
  const tsc = join(scratch, 'node_modules/typescript/bin/tsc');
  try {
    runCommand(process.execPath, [tsc, '-p', join(appDir, 'tsconfig.json')], { cwd: appDir, what: 'tsc' });
    return undefined;
  } catch (error) {
    return error.message;
  }
}
