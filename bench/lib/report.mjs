// Medians, ratios and the printed table.
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const fix = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '–');

/** Per-variant summary over all repetitions. */
export function summarize(runs, variants) {
  const out = {};
  for (const key of variants) {
    const mine = runs.filter((r) => r.variant === key);
    if (mine.length === 0) continue;
    const rps = mine.map((r) => r.rps);
    out[key] = {
      n: mine.length,
      rps: median(rps),
      min: Math.min(...rps),
      max: Math.max(...rps),
      p50: median(mine.map((r) => r.latencyMs.p50)),
      p99: median(mine.map((r) => r.latencyMs.p99)),
      cpuUsPerReq: median(mine.map((r) => r.serverCpuUsPerReq ?? NaN)),
      userUsPerReq: median(mine.map((r) => r.serverUserUsPerReq ?? NaN)),
      sysUsPerReq: median(mine.map((r) => r.serverSysUsPerReq ?? NaN)),
      cpuBusy: median(mine.map((r) => r.serverCpuBusy ?? NaN)),
      otherOnServerCpu: median(mine.map((r) => r.otherOnServerCpu ?? NaN)),
      redisCmdPerReq: median(mine.map((r) => r.redis?.perRequest ?? NaN)),
    };
  }
  return out;
}

/** Per repetition, `value` of a's run ÷ `value` of b's run in the same repetition. */
function pairedRatios(runs, a, b, value = (r) => r.rps) {
  const ratios = [];
  for (const rep of new Set(runs.map((r) => r.rep))) {
    const x = runs.find((r) => r.rep === rep && r.variant === a);
    const y = runs.find((r) => r.rep === rep && r.variant === b);
    if (x && y && Number.isFinite(value(x)) && Number.isFinite(value(y))) ratios.push(value(x) / value(y));
  }
  return ratios;
}

/** Median over repetitions of (a / b) measured in the same repetition: less sensitive to drift. */
export function pairedRatio(runs, a, b) {
  const ratios = pairedRatios(runs, a, b);
  return ratios.length ? { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) } : null;
}

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i < 2 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function formatTable({ runs, summary, catalog, baseline, peers }) {
  const keys = Object.keys(summary);
  const base = summary[baseline]?.rps;
  const presentPeers = peers.filter((p) => summary[p]);
  const header = [
    'key',
    'variant',
    'median req/s',
    'min–max',
    'p50 ms',
    'p99 ms',
    'server CPU µs/req (user+sys)',
    'redis cmd/req',
    `÷ ${baseline}`,
    `paired ÷ ${baseline}`,
    ...presentPeers.map((p) => `÷ ${p}`),
  ];
  const rows = keys.map((k) => {
    const s = summary[k];
    const paired = k === baseline ? null : pairedRatio(runs, k, baseline);
    return [
      k,
      catalog[k].label,
      int(s.rps),
      `${int(s.min)}–${int(s.max)} (${s.n})`,
      fix(s.p50),
      fix(s.p99),
      `${fix(s.cpuUsPerReq, 1)} (${fix(s.userUsPerReq, 0)}+${fix(s.sysUsPerReq, 0)})`,
      fix(s.redisCmdPerReq),
      fix(s.rps / base),
      paired ? `${fix(paired.median)} (${fix(paired.min)}–${fix(paired.max)})` : '–',
      ...presentPeers.map((p) => fix(s.rps / summary[p].rps)),
    ];
  });
  return table(header, rows);
}

const change = (ratio) => (Number.isFinite(ratio) ? `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %` : '–');

/**
 * --against: each of our variants today beside the same variant built from the earlier packages,
 * as ratios to the baseline and as the paired change (today ÷ then, per repetition, median).
 */
export function formatAgainst({ runs, summary, variants, catalog, baseline }) {
  const base = summary[baseline]?.rps;
  const rows = [];
  for (const twin of variants.filter((k) => catalog[k].against)) {
    const key = twin.slice(0, twin.lastIndexOf('@'));
    const now = summary[key];
    const then = summary[twin];
    if (!now || !then) continue;
    rows.push([
      key,
      catalog[twin].against,
      fix(now.rps / base),
      fix(then.rps / base),
      change(median(pairedRatios(runs, key, twin))),
      `${fix(now.cpuUsPerReq, 1)} / ${fix(then.cpuUsPerReq, 1)}`,
      change(median(pairedRatios(runs, key, twin, (r) => r.serverCpuUsPerReq))),
    ]);
  }
  const header = [
    'variant',
    'then',
    `now ÷ ${baseline}`,
    `then ÷ ${baseline}`,
    'req/s now ÷ then (paired)',
    'CPU µs/req now / then',
    'CPU now ÷ then (paired)',
  ];
  return `today against the packages at an earlier commit (same run, interleaved; a change under a few per cent is within this machine's noise):\n\n${table(header, rows)}`;
}
