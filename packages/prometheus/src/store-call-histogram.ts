/**
 * The store-call latency histogram: one observation per store call, so per request. Internal.
 *
 * prom-client's `Histogram#labels(...).observe(v)` checks the labels, builds their hash
 * string and looks the series up by it on every call: about 0.6 µs, a few per cent of an
 * authenticated request. The label sets here are known (store method × outcome), so each
 * series is a slot found with two map lookups, and an observation is a bucket search and three
 * additions. The metric goes into the registry as what prom-client reads from any metric
 * (`name`, `help`, `type`, `aggregator`, `get()`, `reset()`), in the same shape its own
 * histogram gives (`_bucket` with cumulative `le`, `+Inf`, `_sum`, `_count`), so exposition,
 * JSON, `resetMetrics()` and cluster aggregation treat it as one of theirs.
 *
 * @module
 */
import type { StoreCall } from 'coatcheck';
import type { Metric, MetricValueWithName, Registry } from 'prom-client';

type Op = StoreCall['op'];
type Outcome = StoreCall['outcome'];
type Label = 'operation' | 'outcome' | 'le';

/** One series: an (operation, outcome) pair. `counts[i]` is not cumulative; the last is above every bound. */
interface Slot {
  readonly operation: Op;
  readonly outcome: Outcome;
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** The histogram, registered in `registers`; `observe` is the hot path. */
export interface StoreCallHistogram {
  observe(op: Op, outcome: Outcome, seconds: number): void;
}

/** Creates the histogram `name` with `buckets` (increasing upper bounds, seconds) and registers it. */
export function createStoreCallHistogram(name: string, help: string, buckets: readonly number[], registers: readonly Registry[]): StoreCallHistogram {
  // Increasing: checked with the options.
  const bounds = Float64Array.from(buckets);
  // Series in the order they were first observed, as prom-client lists its own.
  let slots = new Map<Op, Map<Outcome, Slot>>();
  let order: Slot[] = [];

  function slotOf(operation: Op, outcome: Outcome): Slot {
    let byOutcome = slots.get(operation);
    if (byOutcome === undefined) {
      byOutcome = new Map();
      slots.set(operation, byOutcome);
    }
    let slot = byOutcome.get(outcome);
    if (slot === undefined) {
      slot = { operation, outcome, counts: new Float64Array(bounds.length + 1), sum: 0, count: 0 };
      byOutcome.set(outcome, slot);
      order.push(slot);
    }
    return slot;
  }

  // As prom-client's own: buckets carry `exemplar: null` (none is kept).
  function valuesOf(slot: Slot): (MetricValueWithName<Label> & { exemplar?: null })[] {
    const labels = { operation: slot.operation, outcome: slot.outcome };
    const values: (MetricValueWithName<Label> & { exemplar?: null })[] = [];
    let cumulative = 0;
    for (let i = 0; i < bounds.length; i++) {
      cumulative += slot.counts[i] as number;
      values.push({ labels: { le: bounds[i] as number, ...labels }, value: cumulative, metricName: `${name}_bucket`, exemplar: null });
    }
    values.push(
      { labels: { le: '+Inf', ...labels }, value: slot.count, metricName: `${name}_bucket`, exemplar: null },
      { labels, value: slot.sum, metricName: `${name}_sum` },
      { labels, value: slot.count, metricName: `${name}_count` },
    );
    return values;
  }

  const metric = {
    name,
    help,
    type: 'histogram' as const,
    aggregator: 'sum' as const,
    // prom-client's typings give `type` as a numeric enum; at run time it is this string.
    async get() {
      return { name, help, type: 'histogram', aggregator: 'sum', values: order.flatMap(valuesOf) };
    },
    // As prom-client's: the series are forgotten, and come back at their next observation.
    reset(): void {
      slots = new Map();
      order = [];
    },
  };
  // The registry reads any object of this shape; its type names prom-client's own classes.
  for (const registry of registers) registry.registerMetric(metric as unknown as Metric<Label>);

  return {
    observe(op, outcome, seconds) {
      const slot = slotOf(op, outcome);
      let i = 0;
      while (i < bounds.length && seconds > (bounds[i] as number)) i++;
      slot.counts[i] = (slot.counts[i] ?? 0) + 1;
      slot.sum += seconds;
      slot.count += 1;
    },
  };
}
