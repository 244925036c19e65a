// CI's other Node versions, the latest 22, 24 and 26 from the npm registry: the unit suite on the
// oldest and the newest (--unit-majors), one after the other, and beside them the consumer suite
// on the middle one (--consumer-majors), which also runs the SQLite package's unit tests on both
// drivers (--sqlite-majors).
//
//   node scripts/ci/node-matrix.mjs --prepare   fetch the Node releases and compile better-sqlite3
//                                               for the --sqlite-majors (CI runs this beside the
//                                               full suite)
//   node scripts/ci/node-matrix.mjs [--majors 22,24,26] [--unit-majors 22,26] [--consumer-majors 24]
//                                   [--sqlite-majors 24] [--sqlite-floor 22.13.0] [--tarballs <dir>]
//
// Why not the whole unit suite on every release: CI has 30 minutes on two cores, and a change of
// Node's behaviour between 22 and 26 shows at one end or the other. The middle release runs what
// depends on what that release ships: every documented app, installed from the tarballs, and the
// SQLite store on its node:sqlite and on better-sqlite3. `--unit-majors 22,24,26` runs it all.
//
// On these Nodes a store runs on node:sqlite unless the app names better-sqlite3, a native addon
// compiled once per Node ABI (no prebuilt binary is reachable from CI): five minutes of both
// cores each. It is compiled for the --sqlite-majors only, in a scratch install of the version a
// user's install resolves; the binary becomes a local prebuild (the stand-in for the prebuilt
// binary a user downloads) used by the repository's unit run there, which tests both drivers side
// by side. The other majors' unit runs test node:sqlite (COATCHECK_SQLITE_DRIVERS), and the
// machine's Node 20 tests better-sqlite3. The repository's own binary is put back at the end.
// The SQLite package's unit tests also run on the oldest release whose node:sqlite the store
// picks on its own (--sqlite-floor), which lacks properties later releases added.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseScriptArgs } from '../lib/script-args.mjs';
import { runCommand } from '../consumer/exec.mjs';
import { packPackages } from '../consumer/pack.mjs';
import { fetchNode, nodeEnv, sqliteRange } from './node-release.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cacheDir = join(root, 'node_modules/.cache/coatcheck-ci');
const prebuildDir = join(root, 'node_modules/.cache/coatcheck-consumer/prebuilds');
const repoSqlite = join(root, 'node_modules/better-sqlite3');
const repoBinary = join(repoSqlite, 'build/Release/better_sqlite3.node');
const installModule = pathToFileURL(join(root, 'scripts/consumer/install.mjs')).href;

const { values } = parseScriptArgs(import.meta.url, {
  options: {
    prepare: { type: 'boolean', default: false },
    majors: { type: 'string', default: '22,24,26' },
    'unit-majors': { type: 'string', default: '22,26' },
    'consumer-majors': { type: 'string', default: '24' },
    'sqlite-majors': { type: 'string', default: '24' },
    // Tarballs packed already (CI passes the release rehearsal's, the files a release
    // publishes); without it the packages are packed here.
    tarballs: { type: 'string' },
    // The oldest release whose node:sqlite the SQLite store picks on its own. Its DatabaseSync
    // lacks what later releases added (isOpen, setReturnArrays), which the driver works around:
    // the SQLite package's unit tests run there too. `none` skips it.
    'sqlite-floor': { type: 'string', default: '22.13.0' },
  },
});
/** The majors named by a comma-separated option. */
const majorsOf = (option) => new Set(values[option].split(',').map((m) => m.trim()));
const SQLITE_ONLY_ARGS = ['scripts/test.mjs', '--unit', '--skip-type-checks', 'packages/sqlite/'];
// The consumer test installs the packed tarballs and compiles and runs every documented app: once
// on the middle release keeps CI within its time, as the unit suite on the two ends does.
// The consumer suite of npm test type-checks every documented app on the machine's Node; the
// outcome depends on the installed packages, not on Node. Here the install differs only in
// better-sqlite3 (absent where node:sqlite exists), so the README's app, on the SQLite store,
// checks that no type of ours reaches for it; the rest install, start and serve as before.
const CONSUMER_TYPE_CHECKS = 'readme';
const consumerMajors = majorsOf('consumer-majors');
// The type tests' outcome does not depend on Node: the machine's Node runs them in npm test.
const UNIT_ARGS = ['scripts/test.mjs', '--unit', '--skip-type-checks'];
const sqliteMajors = majorsOf('sqlite-majors');
const unitMajors = majorsOf('unit-majors');
const majors = values.majors
  .split(',')
  .map((m) => m.trim())
  .filter(Boolean);
const started = Date.now();
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1);
const log = (message) => console.log(`[node-matrix ${seconds(started).padStart(6)} s] ${message}`);

/** Runs `work` and returns [result, seconds]. */
async function timed(work) {
  const t0 = Date.now();
  return [await work(), Number(seconds(t0))];
}

/** Saves the better-sqlite3 in `packageDir` as a local prebuild, probed with `node`. */
function savePrebuildWith(node, packageDir) {
  const script = `import(${JSON.stringify(installModule)}).then((m) => console.log(m.savePrebuild(${JSON.stringify(packageDir)}, ${JSON.stringify(prebuildDir)}) ?? ''))`;
  return runCommand(node.bin, ['-e', script], { env: nodeEnv(node), what: `saving the better-sqlite3 prebuild for Node ${node.version}` }).stdout.trim();
}

/** Compiles (or finds) the better-sqlite3 binary for this Node's ABI, as a local prebuild. */
function warmPrebuild(node) {
  // Outside the repository, so npm cannot mistake it for part of the workspace.
  const project = mkdtempSync(join(tmpdir(), `coatcheck-sqlite-${node.major}-`));
  writeFileSync(join(project, 'package.json'), '{"private": true}\n');
  const spec = `better-sqlite3@${sqliteRange(root)}`;
  runCommand('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', spec], {
    cwd: project,
    env: nodeEnv(node, { npm_config_better_sqlite3_local_prebuilds: prebuildDir }),
    what: `npm install ${spec} on Node ${node.version}`,
  });
  const saved = savePrebuildWith(node, join(project, 'node_modules/better-sqlite3'));
  if (!saved) throw new Error(`better-sqlite3 built on Node ${node.version} does not load`);
  rmSync(project, { recursive: true, force: true });
  return saved;
}

/** Puts a better-sqlite3 binary for this Node into the repository (from a prebuild, or compiled). */
function useRepoBinary(node) {
  const { version } = JSON.parse(readFileSync(join(repoSqlite, 'package.json'), 'utf8'));
  const prebuild = join(prebuildDir, `better-sqlite3-v${version}-node-v${node.abi}-${process.platform}-${process.arch}.tar.gz`);
  if (existsSync(prebuild)) {
    runCommand('tar', ['-xzf', prebuild, '-C', repoSqlite], { what: `unpacking ${prebuild}` });
    return 'prebuild';
  }
  // The repository pins another better-sqlite3 than a user's install resolves: compile it too.
  runCommand('npm', ['rebuild', 'better-sqlite3'], {
    cwd: root,
    env: nodeEnv(node, { npm_config_better_sqlite3_local_prebuilds: prebuildDir }),
    what: `npm rebuild better-sqlite3 on Node ${node.version}`,
  });
  savePrebuildWith(node, repoSqlite);
  return 'compiled';
}

/** Runs a suite on this Node with its output prefixed (`env` added); resolves { ok, seconds }. */
function runSuite(node, label, args, env = {}) {
  return new Promise((resolvePromise) => {
    const t0 = Date.now();
    const child = spawn(node.bin, args, { cwd: root, env: nodeEnv(node, env), stdio: ['ignore', 'pipe', 'pipe'] });
    const prefix = `[node ${node.major} ${label}] `;
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop();
        for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
      });
      stream.on('end', () => rest && process.stdout.write(`${prefix}${rest}\n`));
    }
    child.on('exit', (code) => resolvePromise({ ok: code === 0, seconds: Number(seconds(t0)) }));
  });
}

/** The --sqlite-floor release, or null. */
async function prepareFloor() {
  const floor = values['sqlite-floor'];
  if (floor === 'none') return null;
  const [node, fetchSeconds] = await timed(() => fetchNode(floor, cacheDir));
  log(`Node ${node.version} (the oldest with node:sqlite on by default) in ${fetchSeconds} s`);
  return { ...node, fetchSeconds };
}

async function prepare() {
  const nodes = [];
  for (const major of majors) {
    const [node, fetchSeconds] = await timed(() => fetchNode(major, cacheDir));
    log(`Node ${node.version} (ABI ${node.abi}) from ${node.dir} in ${fetchSeconds} s`);
    const betterSqlite3 = sqliteMajors.has(String(node.major));
    if (!betterSqlite3) {
      nodes.push({ ...node, fetchSeconds, betterSqlite3, warmSeconds: 0 });
      continue;
    }
    const [saved, warmSeconds] = await timed(() => warmPrebuild(node));
    log(`better-sqlite3 for Node ${node.version}: ${saved} in ${warmSeconds} s`);
    nodes.push({ ...node, fetchSeconds, betterSqlite3, warmSeconds });
  }
  return nodes;
}

async function main() {
  const nodes = await prepare();
  const floor = await prepareFloor();
  if (values.prepare) return true;
  const backup = join(cacheDir, 'better_sqlite3.node.repo');
  copyFileSync(repoBinary, backup);
  const results = [];
  let floorResult = null;
  try {
    const tarballDir = values.tarballs === undefined ? join(cacheDir, 'tarballs') : resolve(values.tarballs);
    if (values.tarballs === undefined) {
      rmSync(tarballDir, { recursive: true, force: true });
      const [, packSeconds] = await timed(() => packPackages(root, tarballDir, log));
      log(`packed once for every Node version in ${packSeconds} s`);
    } else log(`the tarballs of ${tarballDir}, for every Node version`);
    // The consumer suites install into scratch projects of their own, so they run beside the
    // unit suites, which take turns with the repository's better-sqlite3 binary.
    const consumers = Promise.all(
      nodes.map((node) =>
        consumerMajors.has(String(node.major))
          ? runSuite(node, 'consumer', ['scripts/consumer/run.mjs', '--tarballs', tarballDir, '--type-check', CONSUMER_TYPE_CHECKS])
          : Promise.resolve({ ok: true, seconds: 0, skipped: true }),
      ),
    );
    const units = [];
    for (const node of nodes) {
      const whole = unitMajors.has(String(node.major));
      const [args, what] = whole ? [UNIT_ARGS, 'unit suite'] : [SQLITE_ONLY_ARGS, "the SQLite package's unit tests"];
      if (!node.betterSqlite3) {
        if (!whole) {
          units.push({ ok: true, seconds: 0, skipped: true });
          continue;
        }
        // The repository's binary is another ABI's: a test that loads better-sqlite3 anyway fails loudly.
        log(`Node ${node.version}: ${what} on node:sqlite (better-sqlite3 runs on ${[...sqliteMajors].join(', ')})`);
        units.push(await runSuite(node, 'unit', args, { COATCHECK_SQLITE_DRIVERS: 'node:sqlite' }));
        continue;
      }
      const [how, binarySeconds] = await timed(() => useRepoBinary(node));
      log(`Node ${node.version}: repository better-sqlite3 from a ${how} in ${binarySeconds} s; ${what} on both drivers`);
      units.push({ ...(await runSuite(node, whole ? 'unit' : 'sqlite', args)), what });
    }
    if (floor !== null) {
      log(`Node ${floor.version}: the SQLite package's unit tests on node:sqlite`);
      floorResult = await runSuite(floor, 'sqlite', SQLITE_ONLY_ARGS, { COATCHECK_SQLITE_DRIVERS: 'node:sqlite' });
    }
    const consumerResults = await consumers;
    for (const [i, node] of nodes.entries()) results.push({ node, unit: units[i], consumer: consumerResults[i] });
  } finally {
    copyFileSync(backup, repoBinary);
    log('repository better-sqlite3 binary restored');
  }
  console.log('\nNode matrix:');
  for (const { node, unit, consumer } of results) {
    console.log(
      `  Node ${node.version}: ${unit.skipped ? 'unit not run (--unit-majors)' : `${unit.what ?? 'unit suite'} ${unit.ok ? 'passed' : 'FAILED'} (${unit.seconds} s)`}, consumer ${consumer.skipped ? 'not run (--consumer-majors)' : `${consumer.ok ? 'passed' : 'FAILED'} (${consumer.seconds} s)`}; fetch ${node.fetchSeconds} s, ${node.betterSqlite3 ? `better-sqlite3 ${node.warmSeconds} s` : 'node:sqlite only'}`,
    );
  }
  if (floor !== null) {
    console.log(
      `  Node ${floor.version}: SQLite unit tests ${floorResult?.ok ? 'passed' : 'FAILED'} (${floorResult?.seconds ?? 0} s); fetch ${floor.fetchSeconds} s`,
    );
  }
  console.log(`  total ${seconds(started)} s`);
  return results.every((r) => r.unit.ok && r.consumer.ok) && (floor === null || floorResult?.ok === true);
}

process.exit((await main()) ? 0 : 1);
