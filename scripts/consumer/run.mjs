// The consumer test (`npm run test:consumer`, part of `npm test`): the packages as a user gets
// them. Packs every public package, installs the tarballs with everything the docs' install
// lines name into one scratch project outside the repository, writes each app of the Markdown
// (`<!-- consumer: APP/FILE -->` blocks) into scratch/apps/APP, checks their imports against
// their install lines, type-checks them (strict, nodenext, skipLibCheck false) and runs the
// README, Express, Hono and bearer apps, driving them over HTTP. On Node 20 better-sqlite3 is
// installed beside the packages, as the README asks; on a Node with node:sqlite the install
// must bring none and compile nothing (sqlite-driver.mjs).
//
//   node scripts/consumer/run.mjs [--docs <file or dir>]... [--keep] [--type-check app,app]
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScriptArgs } from '../lib/script-args.mjs';
import { collectApps, listDocs, packageName, parseInstall } from './markdown.mjs';
import { listPublicPackages, packPackages, readTarballs } from './pack.mjs';
import { installScratch, savePrebuild } from './install.mjs';
import { checkImports, isCode, isTypeScript, typecheckApp } from './check.mjs';
import { driveBearerApp, driveCookieApp, expectMissingSecretFailure, newSecret, startApp } from './drive.mjs';
import { runCommand } from './exec.mjs';
import { betterSqlite3Spec, checkSqliteDriver, hasNodeSqlite } from './sqlite-driver.mjs';

/** Apps the docs must provide; a missing one fails the test. */
export const EXPECTED_APPS = ['readme', 'readme-js', 'fastify-guide', 'express-guide', 'hono-guide', 'bearer-guide', 'observability-guide'];
/** Apps that are started and driven, and how. */
const COOKIE_APPS = ['readme', 'readme-js', 'express-guide', 'hono-guide'];
const BEARER_APPS = ['bearer-guide'];
/** What the harness itself needs in the scratch project (a user's own dev tools). */
const HARNESS = ['typescript', 'tsx', '@types/node'];
const ENTRY = /^(server|app|index|main)\.(ts|mts|js|mjs)$/;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseScriptArgs(import.meta.url, {
  options: {
    docs: { type: 'string', multiple: true },
    keep: { type: 'boolean', default: false },
    // Tarballs packed already (CI packs once for every Node version): a directory of .tgz files.
    tarballs: { type: 'string' },
    // Development only: reuse a kept scratch project (no pack, no install).
    reuse: { type: 'string' },
    prebuilds: { type: 'string', default: join(root, 'node_modules/.cache/coatcheck-consumer/prebuilds') },
    // The apps to type-check (default: every one). A type check's outcome depends on the
    // installed packages, not on the Node that runs tsc: CI's other Nodes check a few.
    'type-check': { type: 'string' },
  },
});
const typeChecked = values['type-check'] === undefined ? undefined : new Set(values['type-check'].split(',').map((app) => app.trim()));
const started = Date.now();
const timings = [];
const log = (message) => console.log(`[consumer ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const timed = async (label, work) => {
  const t0 = Date.now();
  const result = await work();
  timings.push(`${label} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return result;
};

function docFiles() {
  // COATCHECK_CONSUMER_DOCS (a path) stands for --docs where the command line is not ours (CI).
  const docs = values.docs ?? (process.env.COATCHECK_CONSUMER_DOCS ? [process.env.COATCHECK_CONSUMER_DOCS] : undefined);
  if (!docs) return listDocs(root);
  return docs.flatMap((path) => {
    const full = resolve(path);
    return statSync(full).isDirectory()
      ? readdirSync(full)
          .filter((n) => n.endsWith('.md'))
          .sort()
          .map((n) => join(full, n))
      : [full];
  });
}

function installFor(apps, app) {
  // A JavaScript twin (`X-js`) follows the install line of `X` when it has none of its own.
  return apps.get(app).install ?? (app.endsWith('-js') ? apps.get(app.slice(0, -3))?.install : undefined);
}

function entryOf(files) {
  const names = [...files.keys()].filter(isCode);
  return names.find((name) => ENTRY.test(name)) ?? (names.length === 1 ? names[0] : undefined);
}

/** Packs the packages and installs them with `registry` specs into the scratch project. */
async function packAndInstall(scratch, registry) {
  const tarballs = values.tarballs
    ? readTarballs(root, resolve(values.tarballs))
    : await timed('pack', () => packPackages(root, join(scratch, 'tarballs'), log));
  const seeded = savePrebuild(join(root, 'node_modules/better-sqlite3'), values.prebuilds);
  if (seeded) log(`better-sqlite3 prebuild for this Node: ${seeded}`);
  const installSeconds = await timed('install', () =>
    installScratch({ scratch, specs: [...tarballs.values(), ...registry.values()], prebuildDir: values.prebuilds, log }),
  );
  log(`installed in ${installSeconds.toFixed(1)} s`);
}

async function main() {
  log(`node ${process.version}`);
  const failures = [];
  const apps = collectApps(docFiles(), root);
  for (const app of EXPECTED_APPS) {
    const entry = apps.get(app);
    if (!entry || ![...entry.files.keys()].some(isCode)) failures.push(`${app}: no <!-- consumer: ${app}/FILE --> code block in the docs`);
  }
  for (const app of typeChecked ?? []) if (!apps.has(app)) failures.push(`--type-check ${app}: no such app in the docs`);
  const ownNames = new Set(listPublicPackages(root).map((pkg) => pkg.name));
  const registry = new Map();
  for (const [app, entry] of apps) {
    if (![...entry.files.keys()].some(isCode)) continue;
    const install = installFor(apps, app);
    if (!install) {
      failures.push(`${app}: no <!-- consumer: ${app}/install --> block with its npm install line`);
      continue;
    }
    for (const spec of parseInstall(install)) {
      const name = packageName(spec);
      if (!ownNames.has(name) && (!registry.has(name) || spec.length > registry.get(name).length)) registry.set(name, spec);
    }
  }
  for (const name of HARNESS) if (!registry.has(name)) registry.set(name, name);
  if (!hasNodeSqlite()) registry.set('better-sqlite3', betterSqlite3Spec(root));
  if (failures.length > 0) return failures;

  const scratch = values.reuse ? resolve(values.reuse) : mkdtempSync(join(tmpdir(), 'coatcheck-consumer-'));
  log(`scratch project: ${scratch}`);
  try {
    if (!values.reuse) await packAndInstall(scratch, registry);
    const driverProblems = checkSqliteDriver(scratch);
    failures.push(...driverProblems);
    if (driverProblems.length === 0) {
      log(
        hasNodeSqlite()
          ? 'sqlite: no better-sqlite3 installed, nothing compiled, the store runs on node:sqlite'
          : 'sqlite: better-sqlite3 installed for this Node',
      );
    }

    const env = { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', SESSION_SECRET: newSecret() };
    const keygen = "import { generateKeyFile } from '@coatcheck/tokens'; console.log(JSON.stringify(await generateKeyFile('EdDSA')))";
    env.TOKEN_KEYS = runCommand(process.execPath, ['--input-type=module', '-e', keygen], {
      cwd: scratch,
      what: 'generating TOKEN_KEYS with @coatcheck/tokens',
    }).stdout.trim();
    // The bin a user runs with npx, from the installed tarball (a missing shebang, bin entry or
    // build output fails here). --no-install: never fetch a package of that name from the registry.
    const help = runCommand('npx', ['--no-install', 'coatcheck', '--help'], { cwd: scratch, what: 'npx coatcheck --help (the @coatcheck/cli bin)' }).stdout;
    if (!help.includes('Usage: coatcheck')) failures.push(`npx coatcheck --help printed no usage:\n${help.slice(0, 500)}`);

    await timed('checks', async () => {
      for (const [app, entry] of apps) {
        const appDir = join(scratch, 'apps', app);
        mkdirSync(appDir, { recursive: true });
        writeFileSync(join(appDir, 'package.json'), `${JSON.stringify({ name: app, private: true, type: 'module' }, null, 2)}\n`);
        for (const [name, block] of entry.files) {
          mkdirSync(dirname(join(appDir, name)), { recursive: true });
          writeFileSync(join(appDir, name), block.text);
        }
        if (![...entry.files.keys()].some(isCode)) continue;
        const installNames = new Set(parseInstall(installFor(apps, app)).map(packageName));
        failures.push(...checkImports({ app, files: entry.files, installNames, scratch }));
        if ([...entry.files.keys()].some(isTypeScript) && (typeChecked === undefined || typeChecked.has(app))) {
          log(`${app}: tsc`);
          const error = typecheckApp({ appDir, scratch, files: entry.files, installNames });
          if (error) failures.push(`${app}: step "type-check" failed: ${error}`);
        }
      }
    });

    await timed('apps', async () => {
      for (const app of [...COOKIE_APPS, ...BEARER_APPS]) {
        const entry = apps.get(app);
        const file = entryOf(entry.files);
        if (!file) {
          failures.push(`${app}: no entry file to run (name it server.ts/app.ts/index.ts or give the app one code file)`);
          continue;
        }
        const appDir = join(scratch, 'apps', app);
        const context = { app, appDir, entry: file, scratch, env };
        log(`${app}: start ${file} and drive it`);
        let running;
        try {
          running = await startApp(context);
          await (BEARER_APPS.includes(app) ? driveBearerApp : driveCookieApp)({ app, ...running });
        } catch (error) {
          failures.push(error.message);
        } finally {
          await running?.proc.stop();
        }
      }
      log('readme: start without SESSION_SECRET');
      try {
        const { SESSION_SECRET, ...withoutSecret } = env;
        await expectMissingSecretFailure({
          app: 'readme',
          appDir: join(scratch, 'apps/readme'),
          entry: entryOf(apps.get('readme').files),
          scratch,
          env: withoutSecret,
        });
      } catch (error) {
        failures.push(error.message);
      }
    });
  } catch (error) {
    failures.push(error.message);
  } finally {
    if (values.keep || values.reuse) log(`kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
  return failures;
}

const failures = await main();
log(`timings: ${timings.join(', ')}; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (failures.length > 0) {
  console.error(`\nconsumer test: ${failures.length} failure${failures.length === 1 ? '' : 's'}\n\n${failures.join('\n\n')}`);
  process.exit(1);
}
log('consumer test passed');
