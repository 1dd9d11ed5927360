import { FROM_THE_START, logStartWeight, type StartTimePrior } from './start-time-prior.js';

/**
 * Anytime-valid evidence about a rate ratio from counts split between canary and baseline (docs/statistics.md §2).
 *
 * Each interval s brings N_c bad events on the canary and N_b on the baseline, with canary share of traffic ρ_s.
 * If the canary's per-request rate is e^δ times the baseline's, each bad event is on the canary with
 * probability θ_s(δ) = ρ_s e^δ / (ρ_s e^δ + 1 − ρ_s), whatever the shared load was: load cancels. Conditioned
 * on the totals, the log-likelihood ratio of δ against 0 adds up across intervals:
 *     ℓ(δ) += N_c·δ − (N_c + N_b)·log(1 + ρ_s(e^δ − 1)).
 * We keep ℓ on a fixed grid of δ. A fixed-weight mixture of likelihood ratios
 * Σ_k w_k exp(ℓ(δ0+η_k) − ℓ(δ0)) is a test martingale under δ = δ0 (and a supermartingale on the far side),
 * so by Ville's inequality it exceeds 1/α with probability ≤ α ever, however often it is looked at and however
 * ρ_s changes. That gives both the rollback test (δ0 = 0) and a confidence sequence for the ratio (every δ0
 * not rejected).
 */
export const GRID_STEP = 0.05;
const GRID_MIN = -3.5;
const GRID_SIZE = 163; // δ ∈ [−3.5, 4.6]
/**
 * The mixture over alternatives, in grid steps from δ0: every 0.1 of log ratio up to 3 (×20), then ×33, ×55,
 * ×99; fixed weights summing to 1 (a prior on the log ratio — any fixed weights keep the mixture a test
 * martingale). The weights favour the regressions that matter and are hard to see: log-normal in log δ around
 * δ = 0.6 (×1.8) with spread 0.8, so 75% of the mass is on ×1.2 to ×5. Against the former 7 equal points
 * (×1.1 … ×10), the denser grid lets neighbouring alternatives add up near the likelihood's peak; on the
 * benchmark's tuning seeds errors ×2 and tail-latency regressions were caught about one interval sooner.
 * (Spread 0.6 was slightly better for errors ×1.5–×2 but worse for latency, whose slow-share ratios are
 * ×1.3 for a +20% median shift and ×6 above p99 for the tail-only one.)
 */
const OFFSETS: readonly number[] = [...Array.from({ length: 30 }, (_, i) => 2 * (i + 1)), 70, 80, 92];
const MIXTURE_CENTER = 0.6;
const MIXTURE_SPREAD = 0.8;
/** log of the mixture weights (exported so tests can check they sum to 1). */
export const LOG_WEIGHTS: Float64Array = mixtureLogWeights(OFFSETS);

/**
 * Alternatives (in grid steps from δ0) and the log of their fixed weights, which sum to 1. The count tests use
 * the log-normal mixture above; a test whose regressions are of another size (failed probes: many times the
 * stable's rate) brings its own — any fixed weights keep the mixture a test martingale.
 */
export interface RatioMixture {
  offsets: readonly number[];
  logWeights: Float64Array;
}

const RATE_MIXTURE: RatioMixture = { offsets: OFFSETS, logWeights: LOG_WEIGHTS };

/** A mixture over the given ratios (each > 1) with the given weights, normalised to sum to 1. */
export function ratioMixture(ratios: readonly number[], weights: readonly number[]): RatioMixture {
  const total = weights.reduce((a, b) => a + b, 0);
  return {
    offsets: ratios.map((r) => Math.max(1, Math.round(Math.log(r) / GRID_STEP))),
    logWeights: Float64Array.from(weights, (w) => Math.log(w / total)),
  };
}

/**
 * The error test's rollback mixture: the same alternatives, log-normal weights around ×1.57 (δ = 0.45) with spread
 * 0.5. A large error ratio is caught within a few intervals whatever its weight (each interval carries nats of
 * evidence), so the weight goes where evidence is scarce: on the benchmark's tuning seeds errors ×1.5 was caught
 * two to five intervals sooner and late-onset ×2 one interval sooner than with the latency tests' (0.6, 0.8), with
 * ×5 and a late ×10 unchanged (docs/statistics.md §2). A narrower (0.4, 0.4) gained another interval on ×1.5
 * only: too close to the benchmark's own ratios to be a prior.
 */
export const ERROR_MIXTURE: RatioMixture = {
  offsets: OFFSETS,
  logWeights: mixtureLogWeights(OFFSETS, 0.45, 0.5),
};

function mixtureLogWeights(offsets: readonly number[], center = MIXTURE_CENTER, spread = MIXTURE_SPREAD): Float64Array {
  const raw = offsets.map((k) => {
    const z = (Math.log(k * GRID_STEP) - Math.log(center)) / spread;
    return Math.exp(-0.5 * z * z);
  });
  const total = raw.reduce((a, b) => a + b, 0);
  return Float64Array.from(raw, (w) => Math.log(w / total));
}
const ZERO = Math.round(-GRID_MIN / GRID_STEP);
/** The only grid points the rollback test (δ0 = 0) reads: 0 and the mixture's alternatives on both sides. */
function testIndices(offsets: readonly number[]): number[] {
  return [
    ...new Set([
      ZERO,
      ...offsets.flatMap((k) => [ZERO + k, ZERO - k]).map((j) => Math.min(GRID_SIZE - 1, Math.max(0, j))),
    ]),
  ];
}
const EXP_M1 = Float64Array.from({ length: GRID_SIZE }, (_, j) => Math.expm1(GRID_MIN + j * GRID_STEP));

export type Side = 'up' | 'down';

export class CountEvidence {
  /**
   * The rollback test's statistic per alternative δ_j, mixed over start times s with the prior's weights w_s:
   * R_j = Σ_s w_s Π_{i ≥ s} L_i(δ_j), kept as log and updated by R_j ← L_t(δ_j)·(R_j + w_t).
   */
  private readonly logR = new Float64Array(GRID_SIZE).fill(-Infinity);
  private intervals = 0;
  private readonly testIndices: number[];

  /**
   * `mixture` is the rollback test's mixture over ratios; the confidence sequence always uses the count tests'
   * log-normal one.
   */
  constructor(
    private readonly prior: StartTimePrior = FROM_THE_START,
    private readonly mixture: RatioMixture = RATE_MIXTURE,
  ) {
    this.testIndices = testIndices(mixture.offsets);
  }

  /** log-likelihood ratio of δ against 0 under the rate model above: the confidence sequence uses it. */
  private readonly ll = new Float64Array(GRID_SIZE);
  /** The rollback test's log factors against δ = 0 (see `add`): ≥ the rate model's power, same validity. */
  private readonly llTest = new Float64Array(GRID_SIZE);
  canaryEvents = 0;
  baselineEvents = 0;
  /** Events the canary would have had at the baseline's rate (Σ ρ_s·N_s): the "expected" count. */
  expectedCanary = 0;

  /**
   * Add one interval. Intervals with no events or a degenerate share carry no information and are skipped.
   *
   * `requests` (the interval's request counts, when every request is either an event or not — errors, slow
   * requests) sharpens the rollback test when events are common. Under "no regression" the canary's requests
   * are a random subset of the interval's, so given the totals its event count X is hypergeometric. Sampling
   * without replacement is dominated in convex order by sampling with replacement (Hoeffding 1963, Thm 4), so
   * both binomial likelihood ratios — X ~ Bin(N_events, ρ) (the rate model) and X ~ Bin(n_canary, p̂), p̂ the
   * pooled event share — have expectation ≤ 1 under the null. The first wastes a factor (1 − p̂) of the
   * information, the second (1 − ρ); whichever wastes less is used, chosen from the totals alone.
   */
  add(canary: number, baseline: number, rho: number, requests?: { canary: number; baseline: number }): void {
    const n = canary + baseline;
    const logW = logStartWeight(this.prior, ++this.intervals);
    if (!(n > 0) || !(rho > 0 && rho < 1)) {
      for (const j of this.testIndices) this.logR[j] = logAddExp(this.logR[j]!, logW);
      return;
    }
    this.canaryEvents += canary;
    this.baselineEvents += baseline;
    this.expectedCanary += rho * n;
    const total = requests ? requests.canary + requests.baseline : 0;
    const pooled = total > 0 ? n / total : 0;
    const byRequests =
      requests !== undefined &&
      pooled > rho &&
      pooled < 1 &&
      canary <= requests.canary &&
      baseline <= requests.baseline;
    for (let j = 0; j < GRID_SIZE; j++)
      this.ll[j]! += canary * (GRID_MIN + j * GRID_STEP) - n * Math.log1p(rho * EXP_M1[j]!);
    for (const j of this.testIndices) {
      const inc = byRequests
        ? binomialShift(canary, requests.canary, pooled, rho, j)
        : canary * (GRID_MIN + j * GRID_STEP) - n * Math.log1p(rho * EXP_M1[j]!);
      this.llTest[j]! += inc;
      this.logR[j] = inc + logAddExp(this.logR[j]!, logW);
    }
  }

  /** log of the mixture Bayes factor against ratio e^{δ0}, alternatives above (`up`) or below (`down`). */
  logMixture(delta0: number, side: Side): number {
    return this.logMixtureAt(this.ll, indexOf(delta0), side);
  }

  /**
   * Evidence against "no regression at any time" (ratio 1 throughout) in the direction(s) that are bad: the
   * mixture over regression sizes and start times (with the default prior, only the start).
   */
  logBayesFactor(direction: 'increase' | 'decrease' | 'either'): number {
    if (direction === 'increase') return this.logChangeMixture('up');
    if (direction === 'decrease') return this.logChangeMixture('down');
    return logAddExp(this.logChangeMixture('up'), this.logChangeMixture('down')) - Math.LN2;
  }

  private logChangeMixture(side: Side): number {
    if (this.intervals === 0) return 0;
    const step = side === 'up' ? 1 : -1;
    let max = -Infinity;
    const { offsets, logWeights } = this.mixture;
    const terms = offsets.map((k, m) => {
      const v = this.logR[Math.min(GRID_SIZE - 1, Math.max(0, ZERO + step * k))]! + logWeights[m]!;
      if (v > max) max = v;
      return v;
    });
    if (max === -Infinity) return -Infinity;
    let sum = 0;
    for (const v of terms) sum += Math.exp(v - max);
    return max + Math.log(sum);
  }

  /** Grid maximum-likelihood log ratio. */
  mle(): number {
    let best = ZERO;
    for (let j = 0; j < GRID_SIZE; j++) if (this.ll[j]! > this.ll[best]!) best = j;
    return GRID_MIN + best * GRID_STEP;
  }

  /**
   * Upper end of the (1−α) confidence sequence for δ: the smallest grid δ0 ≥ MLE such that the `down`
   * mixture rejects it. Infinity when nothing on the grid is rejected yet.
   */
  upperBound(logThreshold: number): number {
    for (let j = indexOf(this.mle()); j < GRID_SIZE; j++)
      if (this.logMixtureAt(this.ll, j, 'down') >= logThreshold) return GRID_MIN + j * GRID_STEP;
    return Infinity;
  }

  lowerBound(logThreshold: number): number {
    for (let j = indexOf(this.mle()); j >= 0; j--)
      if (this.logMixtureAt(this.ll, j, 'up') >= logThreshold) return GRID_MIN + j * GRID_STEP;
    return -Infinity;
  }

  private logMixtureAt(ll: Float64Array, i0: number, side: Side): number {
    if (this.canaryEvents + this.baselineEvents === 0) return 0;
    const base = ll[i0]!;
    const step = side === 'up' ? 1 : -1;
    // An alternative beyond the grid is replaced by the grid's edge (still a fixed alternative, so still valid).
    const at = (m: number): number =>
      ll[Math.min(GRID_SIZE - 1, Math.max(0, i0 + step * OFFSETS[m]!))]! - base + LOG_WEIGHTS[m]!;
    let max = -Infinity;
    for (let m = 0; m < OFFSETS.length; m++) max = Math.max(max, at(m));
    let sum = 0;
    for (let m = 0; m < OFFSETS.length; m++) sum += Math.exp(at(m) - max);
    return max + Math.log(sum);
  }
}

/**
 * log of Bin(n, q)/Bin(n, p̂) at X = x, where q is the canary's event probability if its rate is e^δ times
 * the baseline's and the pooled share is p̂: q = e^δ p̂ / (ρ e^δ + 1 − ρ) (kept inside (0, 1); any q gives a
 * valid factor).
 */
function binomialShift(x: number, n: number, pooled: number, rho: number, j: number): number {
  if (j === ZERO) return 0;
  const r = Math.exp(GRID_MIN + j * GRID_STEP);
  const q = Math.min(1 - 1e-9, (r * pooled) / (rho * r + 1 - rho));
  return x * Math.log(q / pooled) + (n - x) * Math.log((1 - q) / (1 - pooled));
}

/** Grid index of δ, rounded towards 0 so a tested tolerance is never looser than asked. */
function indexOf(delta: number): number {
  const j = delta >= 0 ? Math.floor(delta / GRID_STEP + 1e-9) : Math.ceil(delta / GRID_STEP - 1e-9);
  return Math.min(GRID_SIZE - 1, Math.max(0, ZERO + j));
}

function logAddExp(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}
