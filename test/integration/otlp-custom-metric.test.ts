import { afterEach, describe, expect, it } from 'vitest';
import { createSequentialJudge } from '../../src/engine/sequential-judge.js';
import { seededRandom } from '../../src/engine/random.js';
import { policySpec } from '../../src/schema/policy.js';
import { decodeMetricsRequest } from '../../src/sources/otlp/decode-request.js';
import { otlpSubscription } from '../../src/sources/otlp/from-policy.js';
import { OtlpSource } from '../../src/sources/otlp/otlp-source.js';
import { OtlpReceiver } from '../../src/sources/otlp/receiver.js';
import { sdkHarness, type SdkHarness } from '../support/otel-sdk.js';

// A `kind: custom` policy metric read from a named OTLP gauge (spec.metricSource.custom), end to end: the real
// SDK's gauge exports, the receiver, the OtlpSource, and the sequential judge's custom-metric test on what
// it collects. A canary whose queue is twice as deep fails the metric; one like stable does not.
const harnesses: SdkHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.shutdown()));
});

const policy = policySpec.parse({
  service: 'maestro-api',
  metrics: [{ name: 'queue-depth', kind: 'custom', critical: true }],
  metricSource: { type: 'otlp', custom: { 'queue-depth': 'app.queue.depth' } },
});

/** Intervals until the judge fails queue-depth (or `max` when it never does). */
async function judge(canaryLift: number, seed: number, max = 40): Promise<number> {
  const rng = seededRandom(seed);
  const receiver = new OtlpReceiver();
  const source = new OtlpSource(receiver, otlpSubscription(policy, { baseline: '1.4.0', canary: '1.5.0' }));
  const gauges = (['1.4.0', '1.5.0'] as const).map((version) => {
    const h = sdkHarness({ resource: { 'service.name': 'maestro-api', 'service.version': version } });
    harnesses.push(h);
    return { h, depth: h.gauge('app.queue.depth') };
  });
  const j = createSequentialJudge(policy);
  for (let t = 1; t <= max; t++) {
    const load = 10 * (1 + 0.5 * Math.sin(t / 5)); // both versions see the same swings in load
    gauges[0]!.depth.record(load * (0.9 + 0.2 * rng()));
    gauges[1]!.depth.record(canaryLift * load * (0.9 + 0.2 * rng()));
    for (const { h } of gauges) receiver.ingest(decodeMetricsRequest((await h.collect()).protobuf, 'protobuf'));
    const got = await source.collect();
    expect(got.canary?.custom?.['queue-depth']).toEqual(expect.any(Number));
    const out = j.update({ t, weight: 10, baseline: got.baseline, canary: got.canary });
    if (out.metrics.find((m) => m.metric === 'queue-depth')?.verdict === 'fail') return t;
  }
  await source.close();
  return max;
}

describe('custom metrics from a named OTLP gauge, judged', () => {
  it('fails a canary whose queue depth doubled, and not one like stable', async () => {
    expect(await judge(2, 1)).toBeLessThan(40);
    expect(await judge(1, 2)).toBe(40);
  });
});
