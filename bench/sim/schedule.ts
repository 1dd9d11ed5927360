import type { PolicySpec } from '../../src/schema/policy.js';

/**
 * The simulator's traffic schedule: the policy's steps one after the other (then the last weight through the
 * bake extension). It is the schedule the controller follows when every step ends healthy; a run where the
 * state machine would have extended a step is counted by the replay (`divergedIntervals`) and reported.
 */
export function scheduleSeconds(spec: PolicySpec): number {
  return spec.steps.reduce((s, step) => s + step.bake, 0) / 1000;
}

/** Canary weight (percent) of the step active during the interval ending at t; undefined once all steps are done. */
export function weightAt(spec: PolicySpec, tSeconds: number): number | undefined {
  let end = 0;
  for (const step of spec.steps) {
    end += step.bake / 1000;
    if (tSeconds <= end + 1e-9) return step.weight;
  }
  return undefined;
}
