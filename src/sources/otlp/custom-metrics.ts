import type { WindowedHistogram, WindowedNumber } from './series-windows.js';

/**
 * A `kind: custom` policy metric read from a named OTLP metric, one value per interval and variant:
 * a gauge gives the mean of the values it reported, a sum its increase (all series added), a histogram the
 * mean of what it recorded (Σsum / Σcount). No point in the interval is no data (null).
 */
export class CustomValue {
  private gauge = { total: 0, n: 0 };
  private sum = { total: 0, n: 0 };
  private histogram = { sum: 0, count: 0, n: 0 };

  add(w: WindowedHistogram | WindowedNumber): void {
    if ('buckets' in w) {
      if (w.sum === null) return;
      this.histogram.sum += w.sum;
      this.histogram.count += w.count;
      this.histogram.n++;
    } else if (w.point.kind === 'gauge') {
      this.gauge.total += w.value;
      this.gauge.n++;
    } else {
      this.sum.total += w.value;
      this.sum.n++;
    }
  }

  /** The interval's value, then starts the next interval. */
  take(): number | null {
    const { gauge, sum, histogram } = this;
    let v: number | null = null;
    if (gauge.n > 0) v = gauge.total / gauge.n;
    else if (sum.n > 0) v = sum.total;
    else if (histogram.n > 0 && histogram.count > 0) v = histogram.sum / histogram.count;
    this.gauge = { total: 0, n: 0 };
    this.sum = { total: 0, n: 0 };
    this.histogram = { sum: 0, count: 0, n: 0 };
    return v;
  }
}
