import type { IntervalObservation, VariantObservation } from '../../src/schema/observation.js';
import type { PolicySpec } from '../../src/schema/policy.js';
import { scheduleSeconds, weightAt } from './schedule.js';
import { bucketProbs, scaled } from './latency.js';
import { binomial, multinomial, poisson, type Rng } from './sampling.js';
import type { Scenario } from './scenarios.js';
import { coldLeft, gaugeLoad, gaugeSamples } from './signals.js';

/**
 * One simulated canary, closed loop: the canary weight follows the policy's steps (then stays at the last
 * weight through the bake extension); a judge that rolls back stops reading. The same run is fed to every
 * judge, so they are compared on identical canaries.
 */
export interface SimRun {
  intervals: IntervalObservation[];
  /** Canary requests served after the regression began, cumulative per interval. */
  exposed: number[];
  /** Per interval: a shared burst was on (the oracle needs the probes' true pass rate). */
  bursting: boolean[];
}

const PROBE_RUNS = 5;
export const PROBE_FLAKE = 0.002;
/** Probes on every version pass this often during a shared burst. */
export const BURST_PROBE_PASS = 0.7;

export function simulate(s: Scenario, spec: PolicySpec, rng: Rng): SimRun {
  const step = spec.interval / 1000;
  const end = scheduleSeconds(spec) + spec.inconclusive.maxExtension / 1000;
  const lastWeight = spec.steps[spec.steps.length - 1]!.weight;
  const phase = rng() * 2 * Math.PI;
  const outage = s.gaps && rng() < s.gaps.outageProb ? Math.floor(rng() * (end / step - 6)) : -100;
  let burstLeft = 0;
  const intervals: IntervalObservation[] = [];
  const exposed: number[] = [];
  const bursting: boolean[] = [];
  let exposedSoFar = 0;
  for (let i = 0; i * step < end; i++) {
    const t = (i + 1) * step;
    const weight = weightAt(spec, t) ?? lastWeight;
    const load = s.load ? s.load(t, phase) : 1;
    if (burstLeft === 0 && s.burst && rng() < s.burst.prob) burstLeft = s.burst.length;
    const burst = burstLeft > 0 ? s.burst!.errorFactor : 1;
    bursting.push(burst > 1);
    if (burstLeft > 0) burstLeft--;
    const regressed = !s.healthy && t > (s.onset ?? 0);
    const share = (weight / 100) * (s.shareFactor ?? 1);
    const p = Math.min(1, s.errorRate * load * burst);
    const latencyScale = (1 + 0.3 * (load - 1)) * (burst > 1 ? 1.5 : 1);
    const env = { rng, step, p, latencyScale, probePass: burst > 1 ? BURST_PROBE_PASS : 1 - PROBE_FLAKE };
    const { baseline, canary, control } = variants(s, spec, env, { t, load, share, regressed });
    if (regressed) exposedSoFar += canary.requests ?? 0;
    exposed.push(exposedSoFar);
    const o: IntervalObservation = {
      t,
      weight,
      baseline: gap(s, rng, i, outage, baseline),
      canary: gap(s, rng, i, outage, canary),
    };
    if (control) o.control = gap(s, rng, i, outage, control);
    intervals.push(o);
  }
  return { intervals, exposed, bursting };
}

interface At {
  t: number;
  load: number;
  share: number;
  regressed: boolean;
}

/** Stable, the canary and (with a baseline) the baseline in one interval, with a cold start and a gauge if any. */
function variants(
  s: Scenario,
  spec: PolicySpec,
  env: Env,
  at: At,
): { baseline: VariantObservation; canary: VariantObservation; control?: VariantObservation } {
  // A cold start slows the fresh processes (canary, and the baseline started with it), never warm stable.
  const cold = coldLeft(s.coldStart, at.t);
  const coldEnv = cold > 0 ? coldEnvOf(env, s, cold) : env;
  const fresh = s.withBaseline ? at.share / 2 : at.share;
  const baseline = variant(s, spec, env, s.rps * at.load * (1 - at.share), false);
  const canary = variant(s, spec, coldEnv, s.rps * at.load * fresh, at.regressed);
  const control = s.withBaseline ? variant(s, spec, coldEnv, s.rps * at.load * fresh, false) : undefined;
  if (s.gauge) {
    const g = s.gauge;
    const shared = gaugeLoad(env.rng, at.load);
    baseline.custom = { cpu: gaugeSamples(env.rng, g, 1, shared) };
    canary.custom = { cpu: gaugeSamples(env.rng, g, at.regressed ? (g.lift ?? 1) : 1, shared) };
    if (control) control.custom = { cpu: gaugeSamples(env.rng, g, 1, shared) };
  }
  return control ? { baseline, canary, control } : { baseline, canary };
}

function coldEnvOf(env: Env, s: Scenario, left: number): Env {
  const c = s.coldStart!;
  return {
    ...env,
    p: Math.min(1, env.p * (1 + (c.errorFactor - 1) * left)),
    latencyScale: env.latencyScale * (1 + (c.latencyFactor - 1) * left),
  };
}

interface Env {
  rng: Rng;
  step: number;
  p: number;
  latencyScale: number;
  probePass: number;
}

function variant(s: Scenario, spec: PolicySpec, env: Env, rps: number, regressed: boolean): VariantObservation {
  const requests = poisson(env.rng, rps * env.step);
  const p = regressed ? Math.min(1, env.p * (s.canaryErrorFactor ?? 1)) : env.p;
  const cdf = regressed && s.canaryLatency ? s.canaryLatency : s.baselineLatency;
  const probs = bucketProbs(env.latencyScale === 1 ? cdf : scaled(cdf, env.latencyScale), spec.latencyBoundsMs);
  const pass = regressed && s.canarySyntheticPass !== undefined ? s.canarySyntheticPass : env.probePass;
  return {
    requests,
    errors: binomial(env.rng, requests, p),
    latency: multinomial(env.rng, requests, probs),
    synthetic: { runs: PROBE_RUNS, passed: binomial(env.rng, PROBE_RUNS, pass) },
  };
}

/** Scrape loss: a whole variant missing, or just its histogram; a 60 s outage loses both variants. */
function gap(s: Scenario, rng: Rng, i: number, outage: number, v: VariantObservation): VariantObservation | null {
  if (!s.gaps) return v;
  if (i >= outage && i < outage + 6) return null;
  const u = rng();
  if (u < s.gaps.prob / 2) return null;
  if (u < s.gaps.prob) return { ...v, latency: null };
  return v;
}
