// node bench/chart.mjs [results.json] [out.svg]
// Draws the medians of a `npm run bench` result as a horizontal bar chart (SVG, no
// dependencies): one bar per variant, our variants in one colour, baselines and peers in
// others, each labelled with its req/s and its ratio to the baseline.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASELINE, VARIANTS } from './lib/variants.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, 'bench/results');
const latest = () => {
  const files = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new Error('no results in bench/results: run npm run bench first');
  return join(resultsDir, files.at(-1));
};
const input = process.argv[2] ?? latest();
const output = process.argv[3] ?? join(root, 'docs/img/bench-get-me.svg');
const { meta, summary } = JSON.parse(readFileSync(input, 'utf8'));

const escapeXml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const colour = (key) => (VARIANTS[key]?.ours ? '#2f6fdf' : key === BASELINE || key === 'a' || key.startsWith('ideal') ? '#9aa3ad' : '#e08a3c');
const rows = Object.entries(summary).sort(([, x], [, y]) => y.rps - x.rps);
const base = summary[BASELINE]?.rps;
const max = Math.max(...rows.map(([, s]) => s.rps));

const labelWidth = 400;
const barWidth = 420;
const rowHeight = 26;
const top = 46;
const height = top + rows.length * rowHeight + 40;
const width = labelWidth + barWidth + 150;
const parts = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
  '<title>GET /me, authenticated read: median requests per second by server variant</title>',
  `<rect width="100%" height="100%" fill="#fff"/>`,
  `<text x="12" y="22" font-size="15" font-weight="600">GET /me, authenticated read: median req/s on one server core (${escapeXml(meta.settings.reps)} interleaved runs)</text>`,
];
rows.forEach(([key, s], i) => {
  const y = top + i * rowHeight;
  const w = Math.max(1, (s.rps / max) * barWidth);
  const ratio = base ? ` · ${(s.rps / base).toFixed(2)}× ${BASELINE}` : '';
  parts.push(
    `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeXml(VARIANTS[key]?.label ?? key)}</text>`,
    `<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${colour(key)}"/>`,
    `<text x="${labelWidth + w + 6}" y="${y + 16}">${Math.round(s.rps).toLocaleString('en-US')}${ratio}</text>`,
  );
});
const foot = `${meta.loadTool.split(' ').slice(0, 2).join(' ')} -t${meta.settings.threads} -c${meta.settings.connections}, node ${meta.node}, runtime ${meta.settings.runtime}, commit ${meta.commit}. Blue: coatcheck; orange: peers; grey: no session / hand-rolled ideal.`;
parts.push(`<text x="12" y="${height - 14}" font-size="11" fill="#555">${escapeXml(foot)}</text>`, '</svg>');
writeFileSync(output, `${parts.join('\n')}\n`);
console.log(`wrote ${output} from ${input}`);
