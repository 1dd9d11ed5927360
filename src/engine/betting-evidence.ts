/**
 * Testing by betting (Waudby-Smith & Ramdas, "Estimating means of bounded random variables by betting";
 * Shafer & Vovk's game-theoretic probability): evidence against "E[X_i | everything before] ≤ 0" from
 * outcomes X_i ∈ [−1, 1].
 *
 * A bettor who stakes a fixed fraction λ ∈ [0, 1) of its wealth on each outcome ends with W = Π (1 + λ·X_i).
 * Under the null each factor has conditional expectation ≤ 1 and is never negative, so W is a nonnegative
 * supermartingale starting at 1; so is any fixed-weight average of such bettors. By Ville's inequality the
 * average exceeds 1/α with probability ≤ α ever, however often it is looked at and however the X_i depend on
 * each other — only the bound and the conditional mean are assumed.
 *
 * The bets: a fixed grid of fractions from 0.95 down by halves (12 bettors, equal weights). The grid holds
 * the best fixed fraction within a factor √2, which keeps ≥ 83% of its growth rate, for ln 12 ≈ 2.5 nats.
 * An outcome of exactly −1 ruins the λ = 0.95 bettor only by a factor 20, never to 0, so no bettor is lost.
 */
const FRACTIONS: readonly number[] = Array.from({ length: 12 }, (_, k) => 0.95 / 2 ** k);
const LOG_WEIGHT = -Math.log(FRACTIONS.length);

export class BettingEvidence {
  private readonly logWealth = new Float64Array(FRACTIONS.length);
  /** Outcomes bet on so far. */
  count = 0;
  /** Their sum (the mean outcome is sum / count). */
  sum = 0;

  /** Bet on one outcome; values outside [−1, 1] are clamped (the caller counts them: the assumption failed). */
  add(x: number): void {
    if (!Number.isFinite(x)) return;
    const v = x < -1 ? -1 : x > 1 ? 1 : x;
    for (let k = 0; k < FRACTIONS.length; k++) this.logWealth[k]! += Math.log1p(FRACTIONS[k]! * v);
    this.count += 1;
    this.sum += v;
  }

  /** log of the mixture's wealth: ≥ log(1/α) rejects the null at level α. 0 before any outcome. */
  logValue(): number {
    if (this.count === 0) return 0;
    let max = -Infinity;
    for (const w of this.logWealth) max = Math.max(max, w);
    let total = 0;
    for (const w of this.logWealth) total += Math.exp(w - max);
    return max + Math.log(total) + LOG_WEIGHT;
  }
}
