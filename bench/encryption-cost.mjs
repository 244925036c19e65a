// node bench/encryption-cost.mjs [--iterations 20000] [--rounds 9]
// What encryption at rest costs per operation, in one process (CPU time, interleaved batches,
// medians): a session read from the store (one decryption), a read served from the local
// cache (nothing: the cache holds opened data) and a write (one encryption), each beside the
// same operation without encryption. The packages are bundled first, as for `npm run bench`.
import { pathToFileURL } from 'node:url';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScriptArgs } from '../scripts/lib/script-args.mjs';
import { buildServers } from './lib/build.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseScriptArgs(import.meta.url, {
  options: { iterations: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '9' } },
});
const bundle = (await buildServers(root, ['encryption-cost-run.mjs']))('encryption-cost-run.mjs');
const { measure } = await import(pathToFileURL(bundle).href);
const rows = await measure({ n: Number(values.iterations), rounds: Number(values.rounds) });
console.log(`node ${process.version}, memory store, ${values.rounds} interleaved rounds × ${values.iterations} operations, CPU µs per operation (median)`);
const byLabel = new Map(rows);
for (const [label, us] of rows) {
  const plain = label.endsWith('encrypted') ? byLabel.get(label.replace('encrypted', 'plain')) : undefined;
  const extra = plain === undefined ? '' : `   encryption adds ${(us - plain).toFixed(2)} µs`;
  console.log(`${label.padEnd(36)} ${us.toFixed(2).padStart(7)} µs${extra}`);
}
