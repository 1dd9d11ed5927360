import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RolloutDecision } from '../engine/rollout-machine.js';
import { policySpec } from '../schema/policy.js';
import { EvidenceLogSink } from './evidence-sink.js';
import { WebhookNotifier } from './webhook-notifier.js';

const policy = policySpec.parse({
  service: 'maestro-api',
  interval: '1s',
  steps: [{ weight: 10, bake: '2s' }],
  webhooks: [{ url: 'https://hooks.example/ci', secret: 's' }],
});
const decision = {
  action: 'rollback',
  at: 1_000,
  step: 0,
  weight: 0,
  score: 0.2,
  by: 'judge',
  reasons: [],
} as unknown as RolloutDecision;

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'ac-notifier-'));
  const evidence = await EvidenceLogSink.open(
    { root: join(dir, '.evidence'), prRoot: join(dir, '.prbodies'), service: 'maestro-api', rolloutId: 'r1' },
    policy,
  );
  const ids: string[] = [];
  const fetch = (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    ids.push((init?.headers as Record<string, string>)['x-adaptive-canary-delivery']!);
    return Promise.resolve(new Response(null, { status: 204 }));
  };
  const notifier = WebhookNotifier.create(policy, { evidence, fetch });
  return { evidence, notifier, ids };
}

const payload = {
  event: 'rollback' as const,
  service: 'maestro-api',
  rolloutId: 'r1',
  step: 0,
  weight: 0,
  score: 0.2,
  decision,
};

describe('WebhookNotifier delivery ids', () => {
  it(
    "keeps messageForDecision's repeatable id when the controller gives " + 'none (an undefined id overrides nothing)',
    async () => {
      const { evidence, notifier, ids } = await setup();
      evidence.record({ decision, assessment: null, inputs: null });
      void notifier.notify({ ...payload, deliveryId: undefined });
      void notifier.notify({ ...payload });
      await notifier.flush(1_000);
      expect(ids).toEqual(['r1-1-rollback', 'r1-1-rollback']);
      evidence.close();
    },
  );

  it("uses the controller's id when given, and records every delivery before the evidence closes", async () => {
    const { evidence, notifier, ids } = await setup();
    void notifier.notify({ ...payload, deliveryId: 'r1:7:rollback' });
    await notifier.flush(1_000);
    evidence.close();
    expect(ids).toEqual(['r1:7:rollback']);
    const log = readFileSync(join(evidence.dir, 'webhooks.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { deliveryId: string; outcome: string });
    expect(log).toEqual([expect.objectContaining({ deliveryId: 'r1:7:rollback', outcome: 'delivered' })]);
  });
});
