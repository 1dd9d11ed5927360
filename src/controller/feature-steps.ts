import { UsageError } from '../errors.js';
import type { PolicySpec } from '../schema/policy.js';

type Step = PolicySpec['steps'][number];

/**
 * `run --target flagd --feature-step N`: the flag moves in increments of N percent — N, 2N, … up to the last
 * multiple below 100 — and promotion then sets it to 100. The policy still decides how long each weight bakes:
 * a generated step bakes as long as the policy's step with the highest weight at or below it (the first policy
 * step's bake for weights below every policy step). So `--feature-step 10` with the steps 10/5m, 25/5m, 50/10m
 * gives 10…40 at 5 minutes each and 50…90 at 10 minutes each. Without `--feature-step` the policy's steps are
 * used as written (their weights must be whole percents: flagd's fractional weights are integers).
 */
export function featureSteps(policySteps: readonly Step[], increment: number | undefined): Step[] {
  if (increment === undefined) {
    const bad = policySteps.find((s) => !Number.isInteger(s.weight));
    if (bad)
      throw new UsageError(
        `spec.steps: weight ${bad.weight} is not a whole percent, which ` +
          `flagd's fractional targeting needs; use whole weights or ` +
          `--feature-step`,
      );
    return policySteps.map((s) => ({ ...s }));
  }
  if (!Number.isInteger(increment) || increment < 1 || increment > 99)
    throw new UsageError(`--feature-step must be a whole percent from 1 to 99, got ${increment}`);
  const byWeight = [...policySteps].sort((a, b) => a.weight - b.weight);
  const bakeAt = (w: number): number =>
    byWeight.filter((s) => s.weight <= w).at(-1)?.bake ?? byWeight[0]?.bake ?? 60_000;
  const steps: Step[] = [];
  for (let w = increment; w < 100; w += increment) steps.push({ weight: w, bake: bakeAt(w) });
  return steps;
}

/** Parses the option's text (`10` or `10%`). */
export function parseFeatureStep(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.trim().replace(/%$/, ''));
  if (!Number.isFinite(n)) throw new UsageError(`--feature-step must be a whole percent from 1 to 99, got "${text}"`);
  return n;
}
