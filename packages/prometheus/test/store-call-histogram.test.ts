// The store-call histogram is ours (a prom-client Histogram costs ~0.6 µs per observation):
// whatever is observed, a registry shows exactly what prom-client's own Histogram with the same
// name, labels and buckets shows, in text, as JSON, and after resetMetrics().
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Histogram, Registry, type RegistryContentType } from 'prom-client';
import type { StoreCall } from 'coatcheck';
import { createStoreCallHistogram } from '../src/store-call-histogram.js';
import { DEFAULT_LATENCY_BUCKETS } from '../src/options.js';

const NAME = 'coatcheck_store_call_duration_seconds';
const HELP = 'Duration of session store calls.';
const OPS: StoreCall['op'][] = ['get', 'create', 'createCapped', 'update', 'touch', 'delete', 'listByUser'];
const OUTCOMES: StoreCall['outcome'][] = ['ok', 'miss', 'conflict', 'error'];

function pair(buckets: readonly number[], openMetrics = false) {
  const ours = new Registry<RegistryContentType>();
  const theirs = new Registry<RegistryContentType>();
  if (openMetrics) for (const registry of [ours, theirs]) registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const fast = createStoreCallHistogram(NAME, HELP, buckets, [ours as Registry]);
  const reference = new Histogram({ name: NAME, help: HELP, labelNames: ['operation', 'outcome'], buckets: [...buckets], registers: [theirs as Registry] });
  return {
    ours,
    theirs,
    observe(op: StoreCall['op'], outcome: StoreCall['outcome'], seconds: number) {
      fast.observe(op, outcome, seconds);
      reference.labels(op, outcome).observe(seconds);
    },
  };
}

const observation = fc.record({
  op: fc.constantFrom(...OPS),
  outcome: fc.constantFrom(...OUTCOMES),
  // Around and on the bucket bounds, and beyond the last.
  seconds: fc.oneof(fc.double({ min: 0, max: 20, noNaN: true }), fc.constantFrom(...DEFAULT_LATENCY_BUCKETS), fc.constant(0)),
});

describe('the store-call histogram', () => {
  it('shows what a prom-client Histogram shows for the same observations (text, JSON, after a reset)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), fc.array(observation, { maxLength: 10 }), async (before, after) => {
        const { ours, theirs, observe } = pair(DEFAULT_LATENCY_BUCKETS);
        for (const { op, outcome, seconds } of before) observe(op, outcome, seconds);
        assert.equal(await ours.metrics(), await theirs.metrics());
        // As a cluster worker sends it: JSON.
        assert.deepEqual(JSON.parse(JSON.stringify(await ours.getMetricsAsJSON())), JSON.parse(JSON.stringify(await theirs.getMetricsAsJSON())));
        ours.resetMetrics();
        theirs.resetMetrics();
        for (const { op, outcome, seconds } of after) observe(op, outcome, seconds);
        assert.equal(await ours.metrics(), await theirs.metrics());
      }),
      { numRuns: 100 },
    );
  });

  it('takes custom buckets, and OpenMetrics exposition', async () => {
    const { ours, theirs, observe } = pair([0.001, 0.5, 2], true);
    for (const seconds of [0.0005, 0.001, 0.3, 0.5, 1, 2, 3]) observe('get', 'ok', seconds);
    observe('update', 'conflict', 0.002);
    const text = await ours.metrics();
    assert.equal(text, await theirs.metrics());
    assert.match(text, /coatcheck_store_call_duration_seconds_bucket\{le="0.5",operation="get",outcome="ok"\} 4/);
  });
});
