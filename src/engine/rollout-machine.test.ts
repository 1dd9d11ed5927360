import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialState, transition, type RolloutEvent, type RolloutState } from './rollout-machine.js';
import type { RolloutPlan } from './rollout-plan.js';
import type { Assessment, Verdict } from './assessment.js';

const plan: RolloutPlan = {
  steps: [
    { weight: 10, bakeMs: 20_000 },
    { weight: 25, bakeMs: 20_000 },
    { weight: 50, bakeMs: 20_000 },
  ],
  intervalMs: 10_000,
  minScore: 0.95,
  inconclusive: { maxExtensionMs: 20_000, then: 'hold' },
  earlyPromotionAfterMs: 30_000,
};

const assess = (verdict: Verdict, score = verdict === 'fail' ? 0.4 : 1, rule?: string): Assessment => ({
  verdict,
  score,
  rule,
  reasons: [
    {
      signal: 'error-rate',
      verdict,
      statistic: 'mixture-likelihood-ratio',
      value: 1,
      threshold: 100,
      message: `error-rate ${verdict}`,
    },
  ],
});

/** Runs events in order from a fresh state; returns the final state and every decision's action. */
function run(events: RolloutEvent[], p = plan): { state: RolloutState; actions: string[]; weights: number[] } {
  let state = initialState();
  const actions: string[] = [];
  const weights: number[] = [];
  for (const ev of events) {
    const r = transition(p, state, ev);
    state = r.state;
    if (r.decision) {
      actions.push(r.decision.action);
      weights.push(r.decision.weight);
    }
  }
  return { state, actions, weights };
}

let clock = 0;
const start = (): RolloutEvent => ({ type: 'start', at: (clock = 0) });
const tick = (a: Assessment): RolloutEvent => ({
  type: 'interval',
  at: (clock += 10_000),
  durationMs: 10_000,
  assessment: a,
});
const ticks = (n: number, a: Assessment): RolloutEvent[] => Array.from({ length: n }, () => tick(a));

describe('rollout state machine', () => {
  it('starts at the first step weight', () => {
    const { state, actions, weights } = run([start()]);
    expect(state).toMatchObject({ phase: 'progressing', step: 0, weight: 10, startedAt: 0 });
    expect(actions).toEqual(['start']);
    expect(weights).toEqual([10]);
  });

  it('walks every step on inconclusive-but-healthy evidence and promotes on a final pass', () => {
    const { state, actions, weights } = run([
      start(),
      ...ticks(4, assess('inconclusive', 0.98)),
      ...ticks(2, assess('pass')),
    ]);
    expect(actions).toEqual(['start', 'step', 'step', 'promote']);
    expect(weights).toEqual([10, 25, 50, 100]);
    expect(state).toMatchObject({ phase: 'promoted', weight: 100, decidedAt: 60_000 });
  });

  it('a plain pass before the last step advances; it promotes only at the end of the last step', () => {
    const { state, actions } = run([start(), ...ticks(6, assess('pass'))]);
    expect(actions).toEqual(['start', 'step', 'step', 'promote']);
    expect(state.decidedAt).toBe(60_000);
  });

  it('promotes early on promoteEarly once the floor of observed analysis is reached, mid-step, never before', () => {
    const early = { ...assess('pass'), promoteEarly: true };
    const r = run([start(), ...ticks(5, early)]);
    // 10s, 20s (end of step 1: advance), below the 30s floor; 30s: floor reached mid-step 2 → promote.
    expect(r.actions).toEqual(['start', 'step', 'promote']);
    expect(r.state.decidedAt).toBe(30_000);
    // The score condition still holds, and time the controller was down does not count toward the floor.
    expect(run([start(), ...ticks(3, { ...early, score: 0.9 })]).actions).toEqual(['start', 'step']);
    const gap: RolloutEvent = { type: 'interval', at: 700_000, durationMs: 10_000, assessment: early };
    expect(run([start(), tick(early), gap]).actions).toEqual(['start', 'step']);
  });

  it('rolls back at once on a fail, mid-bake, naming the rule', () => {
    const r = transition(
      plan,
      run([start(), tick(assess('pass'))]).state,
      tick(assess('fail', 0.2, 'synthetic-consecutive')),
    );
    expect(r.decision).toMatchObject({
      action: 'rollback',
      by: 'rule:synthetic-consecutive',
      weight: 0,
      to: 'rolled-back',
    });
    expect(r.decision?.reasons[0]?.signal).toBe('error-rate');
    expect(r.state.phase).toBe('rolled-back');
  });

  it('extends the bake on inconclusive evidence (announced once), then holds per policy', () => {
    const lastStep = run([start(), ...ticks(4, assess('inconclusive', 0.97))]).state;
    expect(lastStep.step).toBe(2);
    let state = lastStep;
    const actions: string[] = [];
    for (const ev of ticks(6, assess('inconclusive', 0.97))) {
      const r = transition(plan, state, ev);
      state = r.state;
      if (r.decision) actions.push(`${r.decision.action}:${r.decision.to}`);
    }
    // bake 20s, then two 10s extensions (max 20s), then hold.
    expect(actions).toEqual(['hold:progressing', 'hold:holding']);
    expect(state).toMatchObject({ phase: 'holding', holdReason: 'inconclusive', weight: 50 });
    // The evidence arrives while holding: promote without a person.
    expect(transition(plan, state, tick(assess('pass'))).decision?.action).toBe('promote');
    // A fail while holding still rolls back.
    expect(transition(plan, state, tick(assess('fail'))).decision?.action).toBe('rollback');
  });

  it('applies inconclusive.then = rollback and promote', () => {
    const events = [start(), ...ticks(4, assess('inconclusive', 0.97)), ...ticks(4, assess('inconclusive', 0.97))];
    expect(run(events, { ...plan, inconclusive: { maxExtensionMs: 20_000, then: 'rollback' } }).state.phase).toBe(
      'rolled-back',
    );
    expect(run(events, { ...plan, inconclusive: { maxExtensionMs: 20_000, then: 'promote' } }).state.phase).toBe(
      'promoted',
    );
  });

  it('does not advance an inconclusive step that saw no canary traffic', () => {
    const noTraffic: RolloutEvent = {
      type: 'interval',
      at: (clock += 10_000),
      durationMs: 10_000,
      assessment: assess('inconclusive', 1),
      canaryRequests: 0,
    };
    let s = run([start()]).state;
    s = transition(plan, s, noTraffic).state;
    const r = transition(plan, s, { ...noTraffic, at: (clock += 10_000) });
    expect(r.decision).toMatchObject({ action: 'hold', step: 0 });
  });

  it('does not advance an unhealthy inconclusive step', () => {
    const { state, actions } = run([start(), ...ticks(2, assess('inconclusive', 0.8))]);
    expect(actions).toEqual(['start', 'hold']);
    expect(state).toMatchObject({ step: 0, weight: 10, stepExtensionMs: 10_000 });
  });

  it('handles manual pause, resume, promote and abort, and rejects actions on finished rollouts', () => {
    let s = run([start()]).state;
    const act = (action: 'promote' | 'abort' | 'pause' | 'resume') =>
      transition(plan, s, { type: 'manual', at: 1, action, actor: 'alice' });
    expect(act('resume').rejected).toMatch(/cannot resume/);
    s = act('pause').state;
    expect(s).toMatchObject({ phase: 'holding', holdReason: 'paused' });
    expect(transition(plan, s, tick(assess('pass'))).decision).toBeUndefined();
    s = act('resume').state;
    expect(s.phase).toBe('progressing');
    const aborted = act('abort');
    expect(aborted.decision).toMatchObject({ action: 'rollback', by: 'user:alice', weight: 0 });
    s = aborted.state;
    expect(act('promote').rejected).toMatch(/already rolled-back/);
  });

  it('rolls back on an upstream fault with its reason', () => {
    const r = transition(plan, run([start()]).state, {
      type: 'fault',
      at: 5,
      reason: {
        signal: 'upstream',
        verdict: 'fail',
        statistic: 'process-exit',
        value: 1,
        threshold: 0,
        message: 'canary command exited (SIGKILL)',
      },
    });
    expect(r.decision).toMatchObject({
      action: 'rollback',
      by: 'fault',
      reasons: [{ message: 'canary command exited (SIGKILL)' }],
    });
  });

  it.each(['rolled-back', 'promoted'] as const)(
    'records an outcome found on resume (%s) as its decision',
    (outcome) => {
      const reason = {
        signal: 'rollout',
        verdict: outcome === 'promoted' ? ('pass' as const) : ('fail' as const),
        statistic: 'found-on-resume',
        value: 1,
        threshold: 0,
        message: `found already ${outcome}`,
      };
      const r = transition(plan, run([start()]).state, { type: 'found', at: 7, outcome, reason });
      expect(r.state).toMatchObject({ phase: outcome, weight: outcome === 'promoted' ? 100 : 0, decidedAt: 7 });
      expect(r.decision).toMatchObject({
        action: outcome === 'promoted' ? 'promote' : 'rollback',
        by: 'found',
        reasons: [reason],
      });
    },
  );

  it('property: terminal phases are final, a fail always ends rolled back, promote happens at most once', () => {
    const verdict = fc.constantFrom<Verdict>('pass', 'fail', 'inconclusive');
    const event = fc.oneof(
      fc.record({ type: fc.constant('interval' as const), verdict, score: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({
        type: fc.constant('manual' as const),
        action: fc.constantFrom<'promote' | 'abort' | 'pause' | 'resume'>('promote', 'abort', 'pause', 'resume'),
      }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (evs) => {
        let state = transition(plan, initialState(), { type: 'start', at: 0 }).state;
        let t = 0;
        let terminalActions = 0;
        let sawFail = false;
        for (const e of evs) {
          const before = state.phase;
          const ev: RolloutEvent =
            e.type === 'interval'
              ? { type: 'interval', at: (t += 1000), durationMs: 10_000, assessment: assess(e.verdict, e.score) }
              : { type: 'manual', at: (t += 1000), action: e.action, actor: 'p' };
          const r = transition(plan, state, ev);
          if (before === 'promoted' || before === 'rolled-back') expect(r.state).toBe(state);
          if (e.type === 'interval' && e.verdict === 'fail' && !['promoted', 'rolled-back'].includes(before))
            sawFail = true;
          if (r.decision && ['promote', 'rollback'].includes(r.decision.action)) terminalActions++;
          expect(r.state.weight).toBeGreaterThanOrEqual(0);
          state = r.state;
        }
        expect(terminalActions).toBeLessThanOrEqual(1);
        if (sawFail) expect(['rolled-back', 'promoted']).toContain(state.phase);
        if (state.phase === 'rolled-back') expect(state.weight).toBe(0);
      }),
    );
  });
});
