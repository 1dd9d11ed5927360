import { describe, expect, it } from 'vitest';
import { defaultPolicySpec } from '../schema/policy.js';
import type { Reason } from '../schema/reason.js';
import { createAnalysis } from './analysis.js';
import {
  decisiveReasons,
  headline,
  headlineReason,
  rankReasons,
  reasonBody,
  reasonLine,
  reasonLong,
} from './reason-text.js';

const errors: Reason = {
  signal: 'error-rate',
  verdict: 'fail',
  statistic: 'mixture-likelihood-ratio',
  value: 285.34,
  threshold: 200,
  message: 'regressed: errors 34 on canary vs 17.6 expected, evidence 285.34 vs 200 to roll back',
  effect: { counted: 'errors', observed: 34, expected: 17.6, ratio: 1.93, lower: 1.02, upper: 4.31 },
};
const synthetic: Reason = {
  signal: 'synthetic',
  verdict: 'inconclusive',
  statistic: 'synthetic-score',
  value: 0.8,
  threshold: 0.95,
  message: 'canary probes passed 80% (4/5 passed; baseline 100%); 1/2 low intervals in a row',
};
const score: Reason = { ...synthetic, signal: 'composite-score', verdict: 'pass', message: '0.970 ≥ 0.95' };

describe('how a reason reads', () => {
  it('leads with how much worse the canary is and how sure we are; the statistic stays in the long form', () => {
    expect(reasonLine(errors)).toBe(
      'error-rate: canary 1.9× baseline (1.0–4.3), 34 vs 17.6 expected errors — regressed',
    );
    expect(reasonLong(errors, (s) => `**${s}**`)).toBe(
      '**error-rate** (fail): canary 1.9× baseline (1.0–4.3), 34 vs 17.6 expected errors — regressed ' +
        '(mixture-likelihood-ratio 285.3 vs threshold 200)',
    );
    expect(reasonLine({ ...errors, effect: { ...errors.effect!, upper: null } })).toContain('(1.0–∞)');
    expect(reasonLine({ ...errors, verdict: 'inconclusive', effect: { ...errors.effect!, ratio: null } })).toBe(
      'error-rate: no errors on canary yet (17.6 expected) — not conclusive yet',
    );
  });

  it('never repeats the signal, even for messages recorded before they dropped it', () => {
    expect(reasonLine(synthetic)).toBe(`synthetic: ${synthetic.message}`);
    const old = { ...synthetic, signal: 'error-rate', message: 'error-rate regressed: errors 34 on canary' };
    expect(reasonLine(old)).toBe('error-rate: regressed: errors 34 on canary');
    expect(reasonBody({ ...synthetic, message: 'synthetic: low' })).toBe('low');
  });

  it('picks the headline: first failing, else first inconclusive, else the first', () => {
    expect(headlineReason([score, synthetic, errors])).toBe(errors);
    expect(headlineReason([score, synthetic])).toBe(synthetic);
    expect(headlineReason([score])).toBe(score);
    expect(headline([])).toBeUndefined();
    expect(rankReasons([score, errors, synthetic]).map((r) => r.signal)).toEqual([
      'error-rate',
      'synthetic',
      'composite-score',
    ]);
    expect(decisiveReasons([score, errors])).toEqual([errors]);
    expect(decisiveReasons([score, synthetic])).toEqual([score, synthetic]);
  });

  it("no engine reason's message starts with its signal", () => {
    const a = createAnalysis(defaultPolicySpec('s'));
    const obs = (t: number, errs: number) => ({
      t,
      weight: 25,
      baseline: { requests: 3000, errors: 30 },
      canary: { requests: 1000, errors: errs, synthetic: { runs: 5, passed: 3 } },
    });
    const reasons = [1, 2, 3, 4].flatMap((t) => a.evaluate(obs(t * 10, 60)).reasons);
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of reasons) expect(r.message.toLowerCase().startsWith(r.signal.toLowerCase())).toBe(false);
    const fail = reasons.find((r) => r.signal === 'error-rate' && r.verdict === 'fail')!;
    expect(reasonLine(fail)).toMatch(
      /^error-rate: canary \d+(\.\d)?× baseline \([\d.]+–[\d.∞]+\), 60 vs \S+ expected errors — regressed$/,
    );
  });
});
