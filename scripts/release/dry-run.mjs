// Rehearses a release without writing anything to the registry. In dependency order, each
// public package is built from a clean tree by its own prepack and packed, its tarball is
// checked as `npm run check:packages` checks it (publint, attw: lint-tarball.mjs; ours:
// package-checks.mjs), and `npm publish <tarball> --dry-run` runs on exactly that file. Fails
// on any problem, unexpected npm warnings included.
//
//   npm run release:dry-run [-- --tag next] [-- --out <dir>]
//
// --out keeps the checked tarballs for the real publish, with order.txt: one line per
// package, in publish order, "<name><TAB><tarball file name>".
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseScriptArgs } from '../lib/script-args.mjs';
import { listPublicPackages, listWorkspacePackages, packPackage, removeBuildOutput, root, run, siblingRanges } from './workspace.mjs';
import { checkUnpacked } from './package-checks.mjs';
import { ATTW_NOTE, lintTarball } from './lint-tarball.mjs';

// What npm says in every dry run from a machine that is not logged in; the real publish
// needs `npm login` (docs/releasing.md), the packages are not at fault.
const EXPECTED_WARNINGS = [/requires you to be logged in/];

const { values } = parseScriptArgs(import.meta.url, {
  options: { tag: { type: 'string', default: 'latest' }, out: { type: 'string' } },
});
const packages = listPublicPackages();
const version = packages[0].manifest.version;
const problems = [];

// Before building anything: one version, every sibling range on it, a lockfile that agrees.
for (const pkg of packages) {
  if (pkg.manifest.version !== version)
    problems.push(`${pkg.name} is at ${pkg.manifest.version} but ${packages[0].name} at ${version}: run npm run release:version -- <version>`);
}
for (const pkg of listWorkspacePackages()) {
  for (const [field, name, range] of siblingRanges(pkg.manifest)) {
    if (range !== `^${version}`) problems.push(`${pkg.rel}: ${field}.${name} is "${range}", expected "^${version}"`);
  }
}
if (version.includes('-') && values.tag === 'latest') problems.push(`${version} is a prerelease: rehearse and publish it with --tag next`);
const lock = run('npm', ['ls', '--workspaces', '--package-lock-only', '--depth=0'], { cwd: root });
if (lock.code !== 0) problems.push(`package-lock.json does not match the manifests (run npm install):\n${lock.output}`);
if (run('git', ['status', '--porcelain'], { cwd: root }).output.trim() !== '') {
  console.log('note: uncommitted changes; a real release starts from a clean, tagged commit.');
}

const work = mkdtempSync(join(tmpdir(), 'coatcheck-release-'));
const out = values.out === undefined ? join(work, 'tarballs') : resolve(values.out);
if (problems.length === 0) {
  console.log(`dry run of ${version}, tag ${values.tag}, in this order:\n  ${packages.map((pkg) => pkg.name).join('\n  ')}\n`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  removeBuildOutput();
  const order = [];
  for (const pkg of packages) {
    let packed;
    try {
      packed = packPackage(pkg, out);
    } catch (error) {
      problems.push(`${pkg.name}: npm pack failed\n${error.stderr ?? error}`);
      continue;
    }
    order.push(`${pkg.name}\t${packed.filename}`);
    const unpacked = join(work, basename(packed.filename, '.tgz'));
    mkdirSync(unpacked);
    run('tar', ['-xzf', packed.tarball, '-C', unpacked, '--strip-components=1']);
    const found = [...(await lintTarball(packed.tarball)), ...checkUnpacked(pkg, unpacked, version)];
    problems.push(...found.map((problem) => `${pkg.name}: ${problem}`));

    // Run from the temporary directory so that no workspace setting changes what npm does.
    const publish = spawnSync('npm', ['publish', packed.tarball, '--dry-run', '--tag', values.tag], { cwd: work, encoding: 'utf8' });
    const warnings = publish.stderr.split('\n').filter((line) => /^npm (warn|error)/i.test(line));
    const unexpected = warnings.filter((line) => !EXPECTED_WARNINGS.some((pattern) => pattern.test(line)));
    const target = /Publishing to (\S+) with tag (\S+) and (\S+) access/.exec(publish.stderr);
    if (publish.status !== 0 || unexpected.length > 0 || target === null) {
      problems.push(`${pkg.name}: npm publish --dry-run ${publish.status === 0 ? 'warned' : 'failed'}\n${unexpected.join('\n') || publish.stderr}`);
      continue;
    }
    const access = target[3];
    if (access !== 'public') problems.push(`${pkg.name}: would be published with ${access} access`);
    console.log(
      `${found.length === 0 && access === 'public' ? '✓' : '✗'} ${pkg.name}@${packed.version}: ${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} kB -> ${target[1]} (tag ${target[2]}, ${access} access)`,
    );
  }
  writeFileSync(join(out, 'order.txt'), `${order.join('\n')}\n`);
}
rmSync(work, { recursive: true, force: true });
if (values.out !== undefined) console.log(`\ntarballs and order.txt kept in ${out}`);
if (problems.length > 0) {
  console.error(`\nrelease dry run failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`\n${packages.length} packages ready to publish as ${version} (nothing was written to the registry; ${ATTW_NOTE}).`);
