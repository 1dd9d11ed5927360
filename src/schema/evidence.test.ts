import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DecisionPoint } from '../controller/view.js';
import type { Reason } from '../engine/assessment.js';
import { webhookPayload, type DecisionRecord } from './evidence.js';
import { reason as reasonSchema } from './reason.js';

describe('evidence schemas', () => {
  it('a Reason the engine builds and the controller DecisionPoint fit the records unchanged', () => {
    expectTypeOf<DecisionPoint['action']>().toEqualTypeOf<DecisionRecord['action']>();
    const reason: Reason = {
      signal: 'error-rate',
      verdict: 'fail',
      statistic: 'mlr',
      value: 120,
      threshold: 100,
      message: 'worse',
      effect: { counted: 'errors', observed: 34, expected: 17.6, ratio: 1.93, lower: 1.02, upper: null },
      details: { n: 1, s: 'x', z: null },
    };
    expect(reasonSchema.parse(reason)).toEqual(reason);
  });

  it('rejects a payload without a delivery id or with an unknown event', () => {
    const ok = {
      deliveryId: 'd1',
      event: 'rollback',
      service: 's',
      rolloutId: 'r',
      step: 1,
      weight: 25,
      score: 0.4,
      reasons: [],
      at: '2026-08-03T10:00:00Z',
    };
    expect(webhookPayload.safeParse(ok).success).toBe(true);
    expect(webhookPayload.safeParse({ ...ok, deliveryId: '' }).success).toBe(false);
    expect(webhookPayload.safeParse({ ...ok, event: 'deploy' }).success).toBe(false);
  });
});
