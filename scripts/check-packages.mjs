// Packs every public package as `npm publish` would (prepack builds it) and checks the
// tarballs: publint (strict), @arethetypeswrong/cli, and our own checks of declarations,
// README and metadata (scripts/release/package-checks.mjs). Exits non-zero on any problem.
//
//   node scripts/check-packages.mjs [--keep-build] [--package <name>]...
//
// By default the build output of the public packages is removed first, so every one builds
// itself from its sources exactly as on a fresh clone.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScriptArgs } from './lib/script-args.mjs';
import { listPublicPackages, packPackage, removeBuildOutput, run } from './release/workspace.mjs';
import { checkUnpacked } from './release/package-checks.mjs';
import { ATTW_NOTE, lintTarball } from './release/lint-tarball.mjs';

const { values } = parseScriptArgs(import.meta.url, {
  options: {
    'keep-build': { type: 'boolean', default: false },
    package: { type: 'string', multiple: true, default: [] },
  },
});

const packages = listPublicPackages().filter((pkg) => values.package.length === 0 || values.package.includes(pkg.name));
if (packages.length === 0) {
  console.error(`no public package named ${values.package.join(', ')}`);
  process.exit(1);
}
const version = listPublicPackages()[0].manifest.version;
const work = mkdtempSync(join(tmpdir(), 'coatcheck-packages-'));
if (!values['keep-build']) removeBuildOutput();

let failed = 0;
for (const pkg of packages) {
  const problems = [];
  let packed;
  try {
    packed = packPackage(pkg, work);
  } catch (error) {
    console.log(`✗ ${pkg.name}: npm pack failed\n${error.stderr ?? error}`);
    failed += 1;
    continue;
  }

  problems.push(...(await lintTarball(packed.tarball)));

  const unpacked = join(work, pkg.rel.replaceAll('/', '-'));
  mkdirSync(unpacked);
  const untar = run('tar', ['-xzf', packed.tarball, '-C', unpacked, '--strip-components=1']);
  if (untar.code !== 0) problems.push(`tar: ${untar.output}`);
  else problems.push(...checkUnpacked(pkg, unpacked, version));

  const size = `${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} kB`;
  if (problems.length === 0) {
    console.log(`✓ ${pkg.name}@${packed.version} (${size}): publint, attw, declarations, README, metadata`);
  } else {
    failed += 1;
    console.log(`✗ ${pkg.name}@${packed.version} (${size})`);
    for (const problem of problems) console.log(`    ${problem}`);
  }
}
rmSync(work, { recursive: true, force: true });
console.log(failed === 0 ? `\nall ${packages.length} packages clean` : `\n${failed} of ${packages.length} packages have problems`);
console.log(`(${ATTW_NOTE})`);
process.exit(failed === 0 ? 0 : 1);
