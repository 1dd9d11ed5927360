import { customSamplesOf } from '../../src/engine/observation-stats.js';
import type { IntervalObservation, VariantObservation } from '../../src/schema/observation.js';
import type { PolicySpec } from '../../src/schema/policy.js';
import { bucketProbs } from './latency.js';
import { BURST_PROBE_PASS, PROBE_FLAKE } from './simulate.js';
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
 * - synthetics: failed runs, r = the regressed canary's failure probability ÷ the healthy one's in that interval
 *   (a shared burst makes every version's probes fail more often);
 * - a gauge: log(canary sample) − log(baseline sample) of each pair is normal with mean log(lift) and variance
 *   2·noise² (the shared load cancels in the ratio), so each pair adds that normal likelihood ratio.
 * With a baseline (`withBaseline`) the canary is compared with it, as the judge does.
 * Returns the time to detect (s after onset) or null when the run ended first.
 */
export function oracleTimeToDetect(s: Scenario, spec: PolicySpec, run: SimRun): number | null {
  if (s.healthy) return null;
  const onset = s.onset ?? 0;
  const threshold = Math.log(1 / spec.alpha);
  const latencyRatios = s.canaryLatency ? bucketRatios(s, spec) : undefined;
  let llr = 0;
  for (const [i, o] of run.intervals.entries()) {
    if (o.t <= onset) continue;
    llr += intervalLlr(s, o, latencyRatios, run.bursting[i]!);
    if (llr >= threshold) return Math.round(o.t - onset);
  }
  return null;
}

function intervalLlr(
  s: Scenario,
  o: IntervalObservation,
  latencyRatios: number[] | undefined,
  bursting: boolean,
): number {
  const c = o.canary;
  const b = s.withBaseline ? o.control : o.baseline;
  if (!c || !b) return 0;
  let llr = 0;
  if (s.gauge?.lift !== undefined)
    llr += gaugeLlr(s.gauge.lift, s.gauge.noise, customSamplesOf(c, 'cpu'), customSamplesOf(b, 'cpu'));
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
  if (s.canarySyntheticPass !== undefined) llr += probeLlr(s.canarySyntheticPass, c, b, bursting);
  return llr;
}

/** Failed probe runs; during a shared burst stable's probes fail more often too, so the ratio is smaller. */
function probeLlr(pass: number, c: VariantObservation, b: VariantObservation, bursting: boolean): number {
  if (!c.synthetic || !b.synthetic) return 0;
  const runs = c.synthetic.runs + b.synthetic.runs;
  if (!(runs > 0)) return 0;
  const r = (1 - pass) / (bursting ? 1 - BURST_PROBE_PASS : PROBE_FLAKE);
  const failedC = c.synthetic.runs - c.synthetic.passed;
  const failedB = b.synthetic.runs - b.synthetic.passed;
  return split(failedC, failedB, c.synthetic.runs / runs, r);
}

function gaugeLlr(lift: number, noise: number, c: number[], b: number[]): number {
  const mu = Math.log(lift);
  const v = 2 * noise * noise;
  let llr = 0;
  for (let i = 0; i < Math.min(c.length, b.length); i++) {
    const d = Math.log(c[i]! / b[i]!);
    llr += (mu * d - (mu * mu) / 2) / v;
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
