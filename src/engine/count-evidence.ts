/**
 * Anytime-valid evidence about a rate ratio from counts split between canary and baseline (judges.md §2).
 *
 * Each interval s brings N_c bad events on the canary and N_b on the baseline, with canary share of traffic ρ_s.
 * If the canary's per-request rate is e^δ times the baseline's, each bad event is on the canary with
 * probability θ_s(δ) = ρ_s e^δ / (ρ_s e^δ + 1 − ρ_s), whatever the shared load was — load cancels. Conditioned
 * on the totals, the log-likelihood ratio of δ against 0 adds up across intervals:
 *     ℓ(δ) += N_c·δ − (N_c + N_b)·log(1 + ρ_s(e^δ − 1)).
 * We keep ℓ on a fixed grid of δ. A fixed-weight mixture of likelihood ratios Σ_k w_k exp(ℓ(δ0+η_k) − ℓ(δ0))
 * is a test martingale under δ = δ0 (and a supermartingale on the far side), so by Ville's inequality it
 * exceeds 1/α with probability ≤ α ever, however often it is looked at and however ρ_s changes. That gives
 * both the rollback test (δ0 = 0) and a confidence sequence for the ratio (every δ0 not rejected).
 */
export const GRID_STEP = 0.05;
const GRID_MIN = -3.5;
const GRID_SIZE = 163; // δ ∈ [−3.5, 4.6]
/** Mixture offsets in grid steps: ratios ≈ 1.105, 1.22, 1.49, 2.01, 3.0, 4.95, 9.97 (DESIGN §3.1's grid). */
const OFFSETS = [2, 4, 8, 14, 22, 32, 46] as const;
const WEIGHT = 1 / OFFSETS.length;
const ZERO = Math.round(-GRID_MIN / GRID_STEP);
const EXP_M1 = Float64Array.from({ length: GRID_SIZE }, (_, j) => Math.expm1(GRID_MIN + j * GRID_STEP));

export type Side = 'up' | 'down';

export class CountEvidence {
  private readonly ll = new Float64Array(GRID_SIZE);
  canaryEvents = 0;
  baselineEvents = 0;
  /** Events the canary would have had at the baseline's rate (Σ ρ_s·N_s): the "expected" count. */
  expectedCanary = 0;

  /** Add one interval. Intervals with no events or a degenerate share carry no information and are skipped. */
  add(canary: number, baseline: number, rho: number): void {
    const n = canary + baseline;
    if (!(n > 0) || !(rho > 0 && rho < 1)) return;
    this.canaryEvents += canary;
    this.baselineEvents += baseline;
    this.expectedCanary += rho * n;
    for (let j = 0; j < GRID_SIZE; j++) {
      this.ll[j]! += canary * (GRID_MIN + j * GRID_STEP) - n * Math.log1p(rho * EXP_M1[j]!);
    }
  }

  /** log of the mixture Bayes factor against ratio e^{δ0}, alternatives above (`up`) or below (`down`). */
  logMixture(delta0: number, side: Side): number {
    return this.logMixtureAt(indexOf(delta0), side);
  }

  /** Evidence against "no regression" (ratio 1) in the direction(s) that are bad. */
  logBayesFactor(direction: 'increase' | 'decrease' | 'either'): number {
    if (direction === 'increase') return this.logMixtureAt(ZERO, 'up');
    if (direction === 'decrease') return this.logMixtureAt(ZERO, 'down');
    return logAddExp(this.logMixtureAt(ZERO, 'up'), this.logMixtureAt(ZERO, 'down')) - Math.LN2;
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
    for (let j = indexOf(this.mle()); j < GRID_SIZE; j++) if (this.logMixtureAt(j, 'down') >= logThreshold) return GRID_MIN + j * GRID_STEP;
    return Infinity;
  }

  lowerBound(logThreshold: number): number {
    for (let j = indexOf(this.mle()); j >= 0; j--) if (this.logMixtureAt(j, 'up') >= logThreshold) return GRID_MIN + j * GRID_STEP;
    return -Infinity;
  }

  private logMixtureAt(i0: number, side: Side): number {
    const base = this.ll[i0]!;
    const step = side === 'up' ? 1 : -1;
    let max = -Infinity;
    for (const k of OFFSETS) {
      const j = i0 + step * k;
      if (j >= 0 && j < GRID_SIZE && this.ll[j]! - base > max) max = this.ll[j]! - base;
    }
    if (max === -Infinity) return 0;
    let sum = 0;
    for (const k of OFFSETS) {
      const j = i0 + step * k;
      // Alternatives off the grid are dropped: the weights then sum to < 1, which only makes the test conservative.
      if (j >= 0 && j < GRID_SIZE) sum += Math.exp(this.ll[j]! - base - max);
    }
    return max + Math.log(sum * WEIGHT);
  }
}

/** Grid index of δ, rounded towards 0 so a tested tolerance is never looser than asked. */
function indexOf(delta: number): number {
  const j = delta >= 0 ? Math.floor(delta / GRID_STEP + 1e-9) : Math.ceil(delta / GRID_STEP - 1e-9);
  return Math.min(GRID_SIZE - 1, Math.max(0, ZERO + j));
}

function logAddExp(a: number, b: number): number {
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}
