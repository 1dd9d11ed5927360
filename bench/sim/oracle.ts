import type { IntervalObservation } from '../../src/schema/observation.js';
import type { PolicySpec } from '../../src/schema/policy.js';
import { bucketProbs } from './latency.js';
import { PROBE_FLAKE } from './simulate.js';
import type { Scenario } from './scenarios.js';
import type { SimRun } from './simulate.js';

/**
 * The limit of the evidence: an SPRT that knows the regression's true per-event ratio and its onset, and tests
 * "canary = baseline" against exactly that, from the onset on, at threshold 1/α (α the policy's whole budget,
 * not split across metrics). It reads what a load-invariant judge can read — how each interval's bad events split
 * between the variants given the canary's share ρ of requests — so shared load and bursts cancel as they do for
 * the sequential judge: an event is on the canary with probability θ = ρr / (ρr + 1 − ρ) instead of ρ.
 * - errors: r = the canary's error factor;
 * - latency: every histogram bucket b is its own event type with r_b = P_canary(b) / P_baseline(b) from the
 *   scenario's true distributions (all of the histogram, not just the share above one bound);
 * - synthetics: failed runs, r = the regressed canary's failure probability ÷ the healthy one's.
 * Returns the time to detect (s after onset) or null when the run ended first.
 */
export function oracleTimeToDetect(s: Scenario, spec: PolicySpec, run: SimRun): number | null {
  if (s.healthy) return null;
  const onset = s.onset ?? 0;
  const threshold = Math.log(1 / spec.alpha);
  const latencyRatios = s.canaryLatency ? bucketRatios(s, spec) : undefined;
  let llr = 0;
  for (const o of run.intervals) {
    if (o.t <= onset) continue;
    llr += intervalLlr(s, o, latencyRatios);
    if (llr >= threshold) return Math.round(o.t - onset);
  }
  return null;
}

function intervalLlr(s: Scenario, o: IntervalObservation, latencyRatios: number[] | undefined): number {
  const c = o.canary;
  const b = o.baseline;
  if (!c || !b) return 0;
  let llr = 0;
  const nc = c.requests ?? 0;
  const nb = b.requests ?? 0;
  const rho = nc + nb > 0 ? nc / (nc + nb) : 0;
  if (s.canaryErrorFactor !== undefined && c.errors != null && b.errors != null)
    llr += split(c.errors, b.errors, rho, s.canaryErrorFactor);
  if (latencyRatios && c.latency && b.latency) {
    const hc = c.latency.reduce((a, x) => a + x, 0);
    const hb = b.latency.reduce((a, x) => a + x, 0);
    const hrho = hc + hb > 0 ? hc / (hc + hb) : 0;
    for (let k = 0; k < latencyRatios.length; k++) llr += split(c.latency[k]!, b.latency[k]!, hrho, latencyRatios[k]!);
  }
  if (s.canarySyntheticPass !== undefined && c.synthetic && b.synthetic) {
    const runs = c.synthetic.runs + b.synthetic.runs;
    const r = (1 - s.canarySyntheticPass) / PROBE_FLAKE;
    const failedC = c.synthetic.runs - c.synthetic.passed;
    const failedB = b.synthetic.runs - b.synthetic.passed;
    if (runs > 0) llr += split(failedC, failedB, c.synthetic.runs / runs, r);
  }
  return llr;
}

/** log-likelihood ratio of (canary, baseline) event counts for per-event ratio r against 1, given share ρ. */
function split(canary: number, baseline: number, rho: number, r: number): number {
  if (!(rho > 0 && rho < 1) || canary + baseline === 0 || !(r > 0)) return 0;
  const theta = (rho * r) / (rho * r + 1 - rho);
  return canary * Math.log(theta / rho) + baseline * Math.log((1 - theta) / (1 - rho));
}

function bucketRatios(s: Scenario, spec: PolicySpec): number[] {
  const base = bucketProbs(s.baselineLatency, spec.latencyBoundsMs);
  const canary = bucketProbs(s.canaryLatency!, spec.latencyBoundsMs);
  // A bucket the baseline never reaches carries no count-split information the oracle could use safely.
  return base.map((p, k) => (p > 1e-12 && canary[k]! > 1e-12 ? canary[k]! / p : 1));
}
