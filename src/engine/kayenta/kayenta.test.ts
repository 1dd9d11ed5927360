import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policySpec } from '../../schema/policy.js';
import { seededRandom } from '../random.js';
import { classify } from './classifier.js';
import { mannWhitney, wilcoxonDiff } from './mann-whitney.js';
import { scoreMetrics } from './scorer.js';

interface MwCase {
  name: string;
  confidenceLevel: number;
  control: number[];
  experiment: number[];
  lower: number;
  upper: number;
  estimate?: number;
  muMin?: number;
  zqLower?: number;
  fLower1?: number;
  fUpper1?: number;
  fLower2?: number;
  fUpper2?: number;
}

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/kayenta/${name}`, import.meta.url), 'utf8'));
const mw = fixture('mann-whitney.json') as { tolerance: number; cases: MwCase[] };
const cls = fixture('classifier.json') as {
  classifier: { fraction: number; confLevel: number };
  cases: {
    name: string;
    direction: 'increase' | 'decrease' | 'either';
    control: number[];
    experiment: number[];
    expected: string;
  }[];
};
const E = 1e-6;

describe('Mann-Whitney vs Kayenta MannWhitneySuite (R wilcox.test values)', () => {
  for (const c of mw.cases) {
    it(c.name, () => {
      const r = mannWhitney(c.control, c.experiment, c.confidenceLevel);
      expect(Math.abs(r.lower - c.lower)).toBeLessThan(E);
      expect(Math.abs(r.upper - c.upper)).toBeLessThan(E);
      if (c.estimate !== undefined) expect(Math.abs(r.estimate - c.estimate)).toBeLessThan(E);
      if (c.fLower1 !== undefined) {
        const x = [...c.experiment].sort((a, b) => a - b);
        const y = [...c.control].sort((a, b) => a - b);
        const muMax = x[x.length - 1]! - y[0]!;
        expect(wilcoxonDiff(c.muMin!, c.zqLower!, x, y)).toBeCloseTo(c.fLower1, 9);
        expect(wilcoxonDiff(muMax, c.zqLower!, x, y)).toBeCloseTo(c.fUpper1!, 9);
        expect(wilcoxonDiff(c.muMin!, -c.zqLower!, x, y)).toBeCloseTo(c.fLower2!, 9);
        expect(wilcoxonDiff(muMax, -c.zqLower!, x, y)).toBeCloseTo(c.fUpper2!, 9);
      }
    });
  }
});

describe('MannWhitneyClassifier vs Kayenta ClassifierSuite', () => {
  for (const c of cls.cases) {
    it(c.name, () => {
      const spec = policySpec.parse({ service: 's', metrics: [{ name: 'm', kind: 'custom', direction: c.direction }] });
      const r = classify(spec.metrics[0]!, c.control, c.experiment, {
        tolerance: cls.classifier.fraction,
        confidenceLevel: cls.classifier.confLevel,
        random: seededRandom(1),
      });
      expect(r.classification).toBe(c.expected);
    });
  }
});

describe('NetflixACAJudge rules (docs/statistics.md §7)', () => {
  const metric = (extra: Record<string, unknown> = {}) =>
    policySpec.parse({ service: 's', metrics: [{ name: 'm', kind: 'custom', ...extra }] }).metrics[0]!;
  const opts = { tolerance: 0.25, confidenceLevel: 0.98, random: seededRandom(3) };

  it('no data: Nodata, or NodataFailMetric when mustHaveData on a non-critical metric', () => {
    expect(classify(metric(), [], [1, 2], opts).classification).toBe('Nodata');
    expect(classify(metric({ mustHaveData: true }), [1], [], opts).classification).toBe('NodataFailMetric');
    expect(classify(metric({ mustHaveData: true, critical: true }), [1], [], opts)).toMatchObject({
      classification: 'Nodata',
      critical: true,
    });
  });

  it('identical arms pass; two different constants get jitter and are then compared', () => {
    expect(classify(metric(), [3, 1, 2], [1, 2, 3], opts).classification).toBe('Pass');
    const r = classify(metric({ direction: 'increase' }), Array(20).fill(1), Array(20).fill(2), opts);
    expect(r.classification).toBe('High');
  });

  it('a significant but small effect is not High when the mean ratio is under allowedIncrease', () => {
    const control = Array.from({ length: 30 }, (_, i) => 100 + (i % 7));
    const experiment = control.map((v) => v + 5);
    expect(classify(metric({ direction: 'increase' }), control, experiment, opts).classification).toBe('High');
    expect(
      classify(metric({ direction: 'increase', effectSize: { allowedIncrease: 1.1 } }), control, experiment, opts)
        .classification,
    ).toBe('Pass');
  });

  it('scores groups with weights, zeroes on a critical failure or ≥ 50% Nodata', () => {
    const r = (group: string, classification: 'Pass' | 'High' | 'Nodata', critical = false) => ({
      group,
      classification,
      critical,
    });
    // 60·50% + 40·100%
    expect(scoreMetrics([r('a', 'Pass'), r('a', 'High'), r('b', 'Pass')], { a: 60 }).score).toBe(70);
    expect(scoreMetrics([r('a', 'Pass'), r('b', 'Pass'), r('c', 'Pass')], {}).score).toBe(100);
    expect(scoreMetrics([r('a', 'Pass'), r('b', 'High', true)], {}).score).toBe(0);
    expect(scoreMetrics([r('a', 'Pass'), r('b', 'Nodata')], {}).score).toBe(0);
    expect(scoreMetrics([r('a', 'Pass'), r('b', 'Pass'), r('c', 'Nodata')], {}).score).toBe(100);
  });
});
