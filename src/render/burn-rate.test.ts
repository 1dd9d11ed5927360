import { describe, expect, it } from 'vitest';
import { budgetConsumed, burnRateFactor, errorBudgetRatio, recordedWindows, scaledWindows } from './burn-rate.js';

const DAY = 86_400_000;

describe('burn-rate scaling', () => {
  it('reproduces the SRE Workbook table 5-8 for a 30-day period', () => {
    expect(scaledWindows(30 * DAY).map((w) => [w.severity, w.long, w.short, w.factor])).toEqual([
      ['page', '1h', '5m', 14.4],
      ['page', '6h', '30m', 6],
      ['ticket', '1d', '2h', 3],
      ['ticket', '3d', '6h', 1],
    ]);
  });

  it('scales the factors with the period (28 days, as Pyrra and Sloth google-28d)', () => {
    expect(scaledWindows(28 * DAY).map((w) => w.factor)).toEqual([13.44, 5.6, 2.8, 0.9333333333]);
  });

  it('drops windows longer than the period', () => {
    expect(scaledWindows(2 * DAY).map((w) => w.long)).toEqual(['1h', '6h', '1d']);
  });

  it('turns an SLO into its budget without floating-point dust', () => {
    expect(errorBudgetRatio(0.999)).toBe(0.001);
    expect(errorBudgetRatio(0.9995)).toBe(0.0005);
  });

  it('agrees with budget consumed = burn × window / period', () => {
    expect(budgetConsumed(14.4, 3_600_000, 30 * DAY)).toBe(0.02);
    expect(budgetConsumed(72, 3_600_000, 30 * DAY)).toBe(0.1);
    expect(burnRateFactor(0.1, 6 * 3_600_000, 30 * DAY)).toBe(12);
  });

  it('lists the windows the recording rules need', () => {
    expect(recordedWindows(30 * DAY)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
  });
});
