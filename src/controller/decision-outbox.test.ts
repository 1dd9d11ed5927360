import { afterEach, describe, expect, it } from 'vitest';
import type { RolloutDecision } from '../engine/rollout-machine.js';
import { initialState } from '../engine/rollout-machine.js';
import { planFromPolicy } from '../engine/rollout-plan.js';
import { policySpec } from '../schema/policy.js';
import { DecisionOutbox, webhookEventOf } from './decision-outbox.js';
import type { DecisionRecordInput, EvidenceSink, RolloutEventPayload } from './ports.js';
import { StateStore } from './state-store.js';

const policy = policySpec.parse({ service: 'maestro-api', interval: '1s', steps: [{ weight: 10, bake: '2s' }] });
const decision = (action: RolloutDecision['action']): RolloutDecision =>
  ({ action, at: 1_000, step: 0, weight: 10, score: 0.9, by: 'judge', reasons: [] }) as unknown as RolloutDecision;

describe('DecisionOutbox', () => {
  const stores: StateStore[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
  });

  async function setup(recordFails: boolean) {
    const store = await StateStore.open(':memory:');
    stores.push(store);
    store.create(
      { id: 'r1', service: 'maestro-api', plan: planFromPolicy(policy), policy, onsetAt: null, evidenceDir: null },
      initialState(),
      0,
    );
    const recorded: DecisionRecordInput[] = [];
    const sent: RolloutEventPayload[] = [];
    const evidence: EvidenceSink = {
      dir: '/nowhere',
      record: (i) => {
        if (recordFails) throw new Error('disk full');
        recorded.push(i);
      },
      finish: () => undefined,
      close: () => undefined,
    };
    const warnings: string[] = [];
    const outbox = new DecisionOutbox({
      rolloutId: 'r1',
      service: 'maestro-api',
      store,
      evidence,
      now: () => 5,
      notifier: { notify: (p) => void sent.push(p), flush: () => Promise.resolve() },
      onWarning: (m) => warnings.push(m),
    });
    return { store, outbox, recorded, sent, warnings };
  }

  it('maps decisions to webhook events', () => {
    expect((['start', 'step', 'promote', 'rollback', 'hold', 'pause', 'resume'] as const).map(webhookEventOf)).toEqual([
      'step',
      'step',
      'promote',
      'rollback',
      'hold',
      'hold',
      'hold',
    ]);
  });

  it(
    'marks each hand-over; a failed evidence write stays pending and is ' + 'resent, with the same delivery id',
    async () => {
      const failing = await setup(true);
      const seq = failing.store.write('r1', { state: initialState(), decision: decision('rollback') }, 1)!;
      failing.outbox.publish(seq, decision('rollback'), null);
      expect(failing.warnings[0]).toMatch(/could not record the rollback decision.*disk full/);
      expect(failing.sent.map((p) => p.deliveryId)).toEqual([`r1:${seq}:rollback`]);
      const stored = failing.store.load('r1')!.decisions;
      expect(stored[0]).toMatchObject({ recordedAt: null, notifiedAt: 5 });

      const healthy = await setup(false);
      healthy.outbox.resend(stored);
      expect(healthy.recorded).toHaveLength(1);
      expect(healthy.sent).toHaveLength(0); // the webhook was already handed over
    },
  );
});
