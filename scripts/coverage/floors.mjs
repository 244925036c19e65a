// Line-coverage floors per package, checked after `node scripts/test.mjs --coverage`.
//
// Every process the tests start (the test files, the apps they spawn, forked workers) writes
// V8 coverage into one directory through NODE_V8_COVERAGE; c8 maps it back to the TypeScript
// sources through tsx's source maps and writes a JSON summary, read here. c8 is used rather
// than Node's own --experimental-test-coverage because Node 20 maps TypeScript lines wrongly
// through those source maps (it reported 6 of 55 lines of a fully exercised file).
//
// A floor is a promise about a package, not a measurement of the day: it is set a little under
// what the full suite reaches, and raising it is how a gain is kept. The unit set alone does
// not reach the floors of the stores (their tests need Redis and Postgres), so floors are
// checked only on a full run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Lowest share of source lines the full suite must run, per folder, in percent. */
export const FLOORS = Object.freeze({
  'packages/coatcheck/src/': 95,
  'packages/tokens/src/': 90,
  'packages/sqlite/src/': 90,
  'packages/redis/src/': 85,
  'packages/postgres/src/': 85,
  'packages/realtime/src/': 85,
  'packages/fastify/src/': 90,
  'packages/express/src/': 90,
  'packages/hono/src/': 90,
  'packages/client/src/': 80,
  'packages/prometheus/src/': 90,
  'packages/opentelemetry/src/': 90,
  'apps/shop/src/': 85,
});

/** Runs c8 over `tempDir` and returns the JSON summary (absolute file path → counts). */
function summarize(root, tempDir, reportDir) {
  const c8 = join(root, 'node_modules/c8/bin/c8.js');
  const args = [c8, 'report', `--temp-directory=${tempDir}`, `--report-dir=${reportDir}`, '--reporter=json-summary', '--reporter=text-summary', '--all=false'];
  for (const folder of Object.keys(FLOORS)) args.push(`--include=${folder}**`);
  args.push('--exclude=**/test/**', '--exclude=**/*.d.ts', '--exclude=apps/shop/web/**');
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`c8 report exited with ${result.status}`);
  return JSON.parse(readFileSync(join(reportDir, 'coverage-summary.json'), 'utf8'));
}

/**
 * Prints covered/total lines per floor folder and returns the folders below their floor.
 * @returns {string[]} one line per failure; empty when every floor holds
 */
export function checkFloors(root, tempDir, reportDir) {
  const summary = summarize(root, tempDir, reportDir);
  const totals = new Map(Object.keys(FLOORS).map((folder) => [folder, { covered: 0, total: 0 }]));
  for (const [file, counts] of Object.entries(summary)) {
    if (file === 'total') continue;
    const path = relative(root, file).split(sep).join('/');
    const folder = Object.keys(FLOORS).find((f) => path.startsWith(f));
    if (!folder) continue;
    const entry = totals.get(folder);
    entry.covered += counts.lines.covered;
    entry.total += counts.lines.total;
  }
  const failures = [];
  console.log('\nline coverage per package (floor in brackets):');
  for (const [folder, { covered, total }] of totals) {
    const percent = total === 0 ? 0 : (100 * covered) / total;
    const floor = FLOORS[folder];
    const mark = percent >= floor ? 'ok ' : 'LOW';
    console.log(`  ${mark} ${folder.padEnd(26)} ${percent.toFixed(1).padStart(5)} % [${floor}]  (${covered}/${total} lines)`);
    if (percent < floor) failures.push(`${folder}: ${percent.toFixed(1)} % of lines, below the floor of ${floor} %`);
  }
  return failures;
}
