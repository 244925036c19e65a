// Reads docs/checklist.md and finds the checklist ids (`CS-07`, `SF-20`, …) the repository uses,
// so scripts/checklist.test.mjs can hold the two in step.
//
//   node scripts/checklist.mjs     prints the ids used but not defined, and the defined ids no
//                                  test names (the second list is a report, not a failure),
//                                  and the counts: defined, tested, recorded as not applying
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the ids are defined, relative to the root. */
export const CHECKLIST = 'docs/checklist.md';

const ID = /\b([A-Z]{2})-(\d{2})\b/g;
// `WS-04..WS-08`, `CS-01…CS-05`, `SF-10–SF-12`: every id in between counts as used.
const RANGE = /\b([A-Z]{2})-(\d{2})\s*(?:\.\.\.?|…|–)\s*\1-(\d{2})\b/g;
const DEFINITION = /^- \*\*([A-Z]{2}-\d{2})\*\* (.+)$/;
const CITED_FILE = /`([\w.@/-]+\/[\w.@-]+\.[a-z]+)`/g;
// Generated or vendored text where an id-shaped string would mean nothing.
const SKIPPED = new Set([CHECKLIST, 'package-lock.json']);
const MAX_BYTES = 2_000_000;

/** Every id `text` mentions, ranges expanded, sorted. */
export function findIds(text) {
  const ids = new Set();
  for (const [, family, number] of text.matchAll(ID)) ids.add(`${family}-${number}`);
  for (const [, family, from, to] of text.matchAll(RANGE)) {
    for (let n = Number(from); n <= Number(to); n++) ids.add(`${family}-${String(n).padStart(2, '0')}`);
  }
  return [...ids].sort();
}

/**
 * The definitions of a checklist text: Map<id, { text, files }>, where `files` are the
 * repository paths the definition cites. Throws on an id defined twice.
 */
export function readDefinitions(markdown) {
  const definitions = new Map();
  markdown.split('\n').forEach((line, index) => {
    const match = DEFINITION.exec(line);
    if (!match) return;
    const [, id, text] = match;
    if (definitions.has(id)) throw new Error(`${CHECKLIST}:${index + 1}: ${id} is defined twice`);
    definitions.set(id, { text, line: index + 1, files: [...text.matchAll(CITED_FILE)].map((m) => m[1]) });
  });
  return definitions;
}

/**
 * The repository's text files, relative to `root` with `/` separators: what git tracks plus
 * new files it does not ignore (so an id in a file not yet added is caught too). Without git,
 * every file outside node_modules, dist and dot-folders.
 */
export function listRepoFiles(root = ROOT) {
  let files;
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    files = out.split('\0').filter(Boolean);
  } catch {
    files = [];
    const walk = (dir) => {
      for (const name of readdirSync(dir)) {
        if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(relative(root, path).split(sep).join('/'));
      }
    };
    walk(root);
  }
  return [...new Set(files)].filter((file) => !SKIPPED.has(file) && existsSync(join(root, file)) && statSync(join(root, file)).size <= MAX_BYTES).sort();
}

/** Whether a file is test code: a test file, or the shared adapter and store suites. */
export function isTestFile(file) {
  return /(^|\/)test\//.test(file) || file.startsWith('packages/adapter-suite/src/scenarios/') || file.startsWith('packages/conformance/src/');
}

/** Map<id, files that mention it> over `files` (binary files are skipped). */
export function collectUses(files, root = ROOT) {
  const uses = new Map();
  for (const file of files) {
    const buffer = readFileSync(join(root, file));
    if (buffer.includes(0)) continue;
    for (const id of findIds(buffer.toString('utf8'))) {
      if (!uses.has(id)) uses.set(id, []);
      uses.get(id).push(file);
    }
  }
  return uses;
}

/** Everything the test and the command line report. */
export function checkChecklist(root = ROOT) {
  const definitions = readDefinitions(readFileSync(join(root, CHECKLIST), 'utf8'));
  const uses = collectUses(listRepoFiles(root), root);
  const undefinedIds = [...uses.keys()]
    .filter((id) => !definitions.has(id))
    .sort()
    .map((id) => ({ id, files: uses.get(id) }));
  const untested = [...definitions.keys()].filter((id) => !(uses.get(id) ?? []).some(isTestFile)).sort();
  return { definitions, uses, undefinedIds, untested };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { definitions, undefinedIds, untested } = checkChecklist();
  const markdown = readFileSync(join(ROOT, CHECKLIST), 'utf8');
  const tested = [...definitions.values()].filter(({ text }) => /\bTested in\b/i.test(text)).length;
  // Items left out after a review: "- XX-NN (what it is): why", above the first family.
  const notApplicable = markdown.slice(0, markdown.indexOf('\n## ')).match(/^- [A-Z]{2}-\d{2} \(/gm)?.length ?? 0;
  console.log(`${definitions.size} ids defined in ${CHECKLIST}, ${tested} of them with "Tested in"; ${notApplicable} recorded as not applying`);
  for (const { id, files } of undefinedIds) console.log(`used but not defined: ${id} (${files.join(', ')})`);
  console.log(`defined but named by no test: ${untested.join(', ') || 'none'}`);
  process.exitCode = undefinedIds.length > 0 ? 1 : 0;
}
