/**
 * Weighted split, exact per block of 100 requests and shuffled within the block: exactly `weight`% of each
 * 100 consecutive requests go to the canary (fractional weights carry over between blocks), at positions drawn
 * at random. Exact, so the canary's share is what the weight says; shuffled, so periodic traffic (a health
 * check every tenth request, a client's fixed request cycle) does not alias onto one variant.
 */
export class WeightedSplit {
  private percent = 0;
  private carry = 0;
  private block: boolean[] = [];
  private i = 0;
  private seed: number;

  constructor(seed = 0x9e3779b9) {
    this.seed = seed >>> 0 || 1;
  }

  get weight(): number {
    return this.percent;
  }

  set weight(percent: number) {
    if (!Number.isFinite(percent) || percent < 0 || percent > 100)
      throw new RangeError(`weight must be 0..100, got ${percent}`);
    this.percent = percent;
    this.carry = 0;
    this.block = [];
    this.i = 0;
  }

  /** True when the next request goes to the canary. */
  nextIsCanary(): boolean {
    if (this.percent <= 0) return false;
    if (this.percent >= 100) return true;
    if (this.i >= this.block.length) this.refill();
    return this.block[this.i++] === true;
  }

  private refill(): void {
    const want = this.percent + this.carry;
    const count = Math.floor(want);
    this.carry = want - count;
    const block = Array.from({ length: 100 }, (_, k) => k < count);
    for (let k = block.length - 1; k > 0; k--) {
      const j = this.random() % (k + 1);
      [block[k], block[j]] = [block[j] as boolean, block[k] as boolean];
    }
    this.block = block;
    this.i = 0;
  }

  /** xorshift32: fast, and good enough to place requests; not for anything secret. */
  private random(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }
}
