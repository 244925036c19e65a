// collectSessionMetrics' options and lifetime: the prefix, the default registry, custom
// buckets, refusing bad options and taken names, and stop().
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionManager, SessionConfigError } from 'coatcheck';
import { memoryStore } from 'coatcheck/memory';
import { register, Registry } from 'prom-client';
import { collectSessionMetrics, DEFAULT_LATENCY_BUCKETS } from '../src/index.js';

const SECRET = 'metrics-options-secret-2d6a0e4c8b1f5a9d3e7c1b5f9a3d7e1c';
const newManager = () => createSessionManager({ store: memoryStore({ sweepIntervalMs: 0, quiet: true }), secrets: [SECRET] });

/** Logs a fresh session in: one `create` store call, `created` and `upgraded` events. */
async function loginOnce(manager: ReturnType<typeof newManager>): Promise<void> {
  const session = await manager.load({ secure: true });
  await session.login('alice');
  await session.commit();
}

describe('collectSessionMetrics options', () => {
  it('prefix renames every metric; buckets set the histogram bounds; no hub or tokens, no such metrics', async () => {
    const manager = newManager();
    const registry = new Registry();
    const metrics = collectSessionMetrics(manager, { registry, prefix: 'shop_sessions_', buckets: [0.5, 5] });
    await loginOnce(manager);
    const text = await registry.metrics();
    assert.match(text, /^shop_sessions_sessions_created_total 1$/m);
    assert.match(text, /^shop_sessions_store_call_duration_seconds_bucket\{le="0.5",operation="create",outcome="ok"\} 1$/m);
    assert.match(text, /^shop_sessions_store_call_duration_seconds_bucket\{le="5",operation="create",outcome="ok"\} 1$/m);
    assert.doesNotMatch(text, /le="0.001"/);
    assert.doesNotMatch(text, /^coatcheck_/m);
    assert.doesNotMatch(text, /realtime|refresh/);
    assert.ok(metrics.names.every((name) => name.startsWith('shop_sessions_')));
    assert.equal(metrics.names.length, 7);
  });

  it("registers in prom-client's global register by default, with the default buckets", async () => {
    const manager = newManager();
    const metrics = collectSessionMetrics(manager);
    try {
      await loginOnce(manager);
      assert.match(await register.metrics(), /^coatcheck_sessions_created_total 1$/m);
      // One label set's buckets (a login makes several store calls: create, appendHistory).
      const buckets = [...(await register.metrics()).matchAll(/^coatcheck_store_call_duration_seconds_bucket\{le="([^"]+)",operation="create"/gm)].map(
        (m) => m[1],
      );
      assert.deepEqual(buckets, [...DEFAULT_LATENCY_BUCKETS.map(String), '+Inf']);
    } finally {
      metrics.stop();
    }
    assert.doesNotMatch(await register.metrics(), /coatcheck_/);
  });

  it('refuses a bad prefix or buckets, and a name already registered, leaving the registry as it was', async () => {
    const registry = new Registry();
    for (const prefix of ['1abc_', 'with space', 'dash-', 42]) {
      assert.throws(() => collectSessionMetrics(newManager(), { registry, prefix: prefix as string }), SessionConfigError, String(prefix));
    }
    for (const buckets of [[], [0.1, 0.1], [1, 0.5], [0, 1], [Number.NaN], 'fast']) {
      assert.throws(() => collectSessionMetrics(newManager(), { registry, buckets: buckets as number[] }), SessionConfigError, JSON.stringify(buckets));
    }
    assert.throws(() => collectSessionMetrics(newManager(), null as never), SessionConfigError);
    const first = collectSessionMetrics(newManager(), { registry });
    assert.throws(
      () => collectSessionMetrics(newManager(), { registry }),
      (error: unknown) =>
        error instanceof SessionConfigError && /coatcheck_store_call_duration_seconds, .* are registered already; stop\(\)/.test(error.message),
    );
    assert.equal(registry.getMetricsAsArray().length, first.names.length, 'nothing half-registered');
    // Another prefix fits beside it.
    collectSessionMetrics(newManager(), { registry, prefix: 'second_' });
  });

  it('stop() unsubscribes and unregisters, so the same registry can collect again', async () => {
    const manager = newManager();
    const registry = new Registry();
    const metrics = collectSessionMetrics(manager, { registry });
    await loginOnce(manager);
    metrics.stop();
    metrics.stop();
    assert.equal(registry.getMetricsAsArray().length, 0);
    const again = collectSessionMetrics(manager, { registry });
    assert.match(await registry.metrics(), /^coatcheck_sessions_created_total 0$/m, 'a fresh count: the old listeners are gone');
    await loginOnce(manager);
    assert.match(await registry.metrics(), /^coatcheck_sessions_created_total 1$/m);
    again.stop();
  });
});
