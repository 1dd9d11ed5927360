import type { IntervalObservation } from '../schema/observation.js';

/**
 * The steps a recording itself shows: each run of consecutive intervals at one weight is a step, baked as long as
 * it was recorded (one analysis interval per recorded line, as the controller counts bake). `replay` uses them when
 * no policy is given, so a recording is judged on the schedule it was recorded under rather than a built-in one.
 */
export function stepsFromRecording(
  intervals: readonly Pick<IntervalObservation, 'weight'>[],
  intervalMs: number,
): { weight: number; bake: number }[] {
  const steps: { weight: number; bake: number }[] = [];
  for (const o of intervals) {
    const last = steps[steps.length - 1];
    if (last && last.weight === o.weight) last.bake += intervalMs;
    else steps.push({ weight: o.weight, bake: intervalMs });
  }
  return steps;
}
