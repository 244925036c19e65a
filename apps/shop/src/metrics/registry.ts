/**
 * A small metrics registry that renders the Prometheus text exposition format (0.0.4):
 * counters, gauges read at scrape time, and histograms. Enough for the shop's dozen series;
 * no client library needed.
 *
 * @module
 */

/** Label values of one series, e.g. `{ op: 'get' }`. */
type Labels = Readonly<Record<string, string>>;

/** A monotonically increasing count. */
export interface Counter {
  inc(labels?: Labels, by?: number): void;
  /** The current value for these labels (for tests and derived gauges). */
  value(labels?: Labels): number;
}

/** A distribution of observations (seconds, bytes). */
interface Histogram {
  observe(value: number, labels?: Labels): void;
}

/** The registry: create series, then `render()` for `GET /metrics`. */
export interface MetricsRegistry {
  counter(name: string, help: string): Counter;
  histogram(name: string, help: string, buckets: readonly number[]): Histogram;
  /**
   * A gauge read when scraped. Registering a name again replaces its reader, so a module that
   * lands later (e.g. a socket hub) can take over a gauge registered as a placeholder.
   * A reader that throws or rejects drops the gauge from that scrape.
   */
  gauge(name: string, help: string, read: () => number | Promise<number>): void;
  /** The exposition text. */
  render(): Promise<string>;
}

/** `Content-Type` of the exposition format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelKey(labels: Labels | undefined): string {
  if (!labels) return '';
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return `{${keys.map((key) => `${key}="${escapeLabel(labels[key] ?? '')}"`).join(',')}}`;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

// Appends a label to an already-rendered label set: `{op="get"}` + le -> `{op="get",le="0.1"}`.
function withLabel(key: string, name: string, value: string): string {
  const pair = `${name}="${value}"`;
  return key === '' ? `{${pair}}` : `${key.slice(0, -1)},${pair}}`;
}

interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

/** Creates an empty registry. */
export function createMetricsRegistry(): MetricsRegistry {
  // Insertion order is exposition order; one render function per metric name.
  const metrics = new Map<string, () => Promise<string[]>>();

  function claim(name: string, render: () => Promise<string[]>, replace = false): void {
    if (!NAME.test(name)) throw new TypeError(`metric name ${JSON.stringify(name)} is not a valid Prometheus name`);
    if (metrics.has(name) && !replace) throw new TypeError(`metric ${name} is already registered`);
    metrics.set(name, render);
  }

  return {
    counter(name, help) {
      const series = new Map<string, number>();
      claim(name, async () => {
        const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} counter`];
        // A counter without any label set yet still shows as 0, so dashboards see it exists.
        if (series.size === 0) lines.push(`${name} 0`);
        for (const [key, value] of series) lines.push(`${name}${key} ${formatNumber(value)}`);
        return lines;
      });
      return {
        inc(labels, by = 1) {
          const key = labelKey(labels);
          series.set(key, (series.get(key) ?? 0) + by);
        },
        value: (labels) => series.get(labelKey(labels)) ?? 0,
      };
    },
    histogram(name, help, buckets) {
      const bounds = [...buckets].sort((a, b) => a - b);
      const series = new Map<string, HistogramSeries>();
      claim(name, async () => {
        const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
        for (const [key, { counts, sum, count }] of series) {
          let cumulative = 0;
          bounds.forEach((bound, i) => {
            cumulative += counts[i] ?? 0;
            lines.push(`${name}_bucket${withLabel(key, 'le', formatNumber(bound))} ${cumulative}`);
          });
          lines.push(`${name}_bucket${withLabel(key, 'le', '+Inf')} ${count}`);
          lines.push(`${name}_sum${key} ${formatNumber(sum)}`, `${name}_count${key} ${count}`);
        }
        return lines;
      });
      return {
        observe(value, labels) {
          const key = labelKey(labels);
          let entry = series.get(key);
          if (!entry) {
            entry = { counts: bounds.map(() => 0), sum: 0, count: 0 };
            series.set(key, entry);
          }
          const index = bounds.findIndex((bound) => value <= bound);
          if (index !== -1) entry.counts[index] = (entry.counts[index] ?? 0) + 1;
          entry.sum += value;
          entry.count += 1;
        },
      };
    },
    gauge(name, help, read) {
      claim(
        name,
        async () => {
          const value = await read();
          return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${formatNumber(value)}`];
        },
        true,
      );
    },
    async render() {
      const parts = await Promise.all([...metrics.values()].map((render) => render().catch(() => [] as string[])));
      return `${parts.flat().join('\n')}\n`;
    },
  };
}
