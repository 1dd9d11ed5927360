import { describe, expect, it } from 'vitest';
import { logBeta, logGamma, normalCdf, normalQuantile } from './special-functions.js';

describe('special functions', () => {
  it('normal quantile matches R qnorm', () => {
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 8);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 6);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('normal CDF inverts the quantile', () => {
    for (const p of [0.001, 0.05, 0.3, 0.5, 0.8, 0.99]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });

  it('log-gamma and log-beta match closed forms', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(171)).toBeCloseTo(706.5730622457874, 7); // R: lgamma(171)
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 12);
  });
});
