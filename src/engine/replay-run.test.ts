import { describe, expect, it } from 'vitest';
import type { IntervalObservation } from '../schema/observation.js';
import { policySpec } from '../schema/policy.js';
import { stepsFromRecording } from './recorded-steps.js';
import { replayIntervals } from './replay-run.js';
import type { Assessment } from './assessment.js';

const spec = policySpec.parse({
  service: 's',
  steps: [
    { weight: 10, bake: '60s' },
    { weight: 50, bake: '60s' },
  ],
  inconclusive: { maxExtension: '30s', then: 'rollback' },
});
const a = (verdict: Assessment['verdict'], extra: Partial<Assessment> = {}): Assessment => ({
  verdict,
  score: 1,
  reasons: [],
  ...extra,
});
/** `n` recorded intervals at 10 s, at the weights the policy's schedule gives. */
const recording = (n: number, t0 = 10): IntervalObservation[] =>
  Array.from({ length: n }, (_, i) => ({
    t: t0 + 10 * i,
    weight: 10 * i < 60 ? 10 : 50,
    canary: { requests: 100 },
    baseline: { requests: 900 },
  }));
const run = (verdicts: (i: number) => Assessment, n: number, intervals = recording(n)) =>
  replayIntervals(spec, intervals, { assess: verdicts });

describe('replay through the rollout state machine', () => {
  it('rolls back on a fail at once, with the rule that fired', () => {
    const r = run((i) => (i === 1 ? a('fail', { rule: 'critical-metric' }) : a('pass')), 12);
    expect(r.outcome).toMatchObject({ decision: 'rollback', at: 20, rule: 'rule:critical-metric' });
    expect(r.decisions.map((d) => d.action)).toEqual(['start', 'rollback']);
  });

  it('steps at the end of each bake and promotes on a pass once the steps are done', () => {
    const r = run(() => a('pass'), 20);
    expect(r.decisions.map((d) => `${d.action}@${d.at / 1000}`)).toEqual(['start@0', 'step@60', 'promote@120']);
    expect(r.outcome).toMatchObject({ decision: 'promote', at: 120, rule: 'judge' });
    expect(r.divergedIntervals).toBe(0);
  });

  it('promotes early on evidence only after the floor (max of first bake, half the plan) of observed analysis', () => {
    const r = run(() => a('pass', { promoteEarly: true }), 20);
    expect(r.outcome).toMatchObject({ decision: 'promote', at: 60 });
  });

  it('counts observed intervals, not t: a gap in the recording is no bake', () => {
    const gapped = recording(2).map((o, i) => ({ ...o, t: i === 0 ? 10 : 600 }));
    const r = run(() => a('pass', { promoteEarly: true }), 2, gapped);
    expect(r.outcome).toMatchObject({ decision: 'inconclusive', at: 600, rule: 'recording-ended' });
  });

  it('extends an inconclusive step, then applies inconclusive.then; the recording moving on is counted', () => {
    const r = run(() => a('inconclusive', { score: 0.5 }), 20);
    expect(r.decisions.map((d) => `${d.action}@${d.at / 1000}`)).toEqual(['start@0', 'hold@60', 'rollback@90']);
    expect(r.outcome).toMatchObject({ decision: 'rollback', at: 90, rule: 'policy:inconclusive' });
    // The controller would have stayed at 10%; the recording was at 50% from t = 70 s.
    expect(r.divergedIntervals).toBe(3);
    expect(r.timeline.find((e) => e.weight !== e.controllerWeight)).toMatchObject({ t: 70, controllerWeight: 10 });
  });

  it('a hold is not an end: the controller keeps judging and resumes when the evidence arrives', () => {
    const held = policySpec.parse({
      ...{ service: 's', steps: [{ weight: 10, bake: '30s' }] },
      inconclusive: { maxExtension: '10s', then: 'hold' },
    });
    const r = replayIntervals(held, recording(8), {
      assess: (i) => (i < 5 ? a('inconclusive', { score: 0.5 }) : a('pass')),
    });
    expect(r.decisions.map((d) => `${d.action}@${d.at / 1000}`)).toEqual([
      'start@0',
      'hold@30',
      'hold@40',
      'promote@60',
    ]);
  });
});

describe('steps from the recording', () => {
  it('each run of one weight is a step, baked one interval per recorded line', () => {
    const weights = [10, 10, 10, 25, 25, 50, 10];
    expect(
      stepsFromRecording(
        weights.map((weight) => ({ weight })),
        10_000,
      ),
    ).toEqual([
      { weight: 10, bake: 30_000 },
      { weight: 25, bake: 20_000 },
      { weight: 50, bake: 10_000 },
      { weight: 10, bake: 10_000 },
    ]);
    expect(stepsFromRecording([], 10_000)).toEqual([]);
  });
});
