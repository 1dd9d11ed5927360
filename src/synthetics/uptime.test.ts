import { describe, expect, it } from 'vitest';
import { computeUptime } from './uptime.js';

describe('uptime and reachability (Grafana SM definitions)', () => {
  const row = (startedAt: number, success: boolean) => ({ flow: 'f', startedAt, success, intervalMs: 1000 });

  it('uptime counts intervals with at least one success; reachability counts runs', () => {
    // Interval 0: fail then success (up). Interval 1: fail (down). Interval 2: success (up).
    const report = computeUptime([row(100, false), row(600, true), row(1100, false), row(2100, true)], {
      windowMs: 10_000,
      now: 3000,
    });
    expect(report.uptime).toBeCloseTo(2 / 3);
    expect(report.reachability).toBe(0.5);
    expect(report.flows[0]).toMatchObject({ flow: 'f', points: 3, upPoints: 2, runs: 4, successes: 2 });
  });

  it('ignores results outside the window and reports gaps without counting them down', () => {
    const report = computeUptime([row(-5000, false), row(100, true), row(5100, true)], { windowMs: 6000, now: 6000 });
    expect(report.runs).toBe(2);
    expect(report.uptime).toBe(1);
    expect(report.pointsWithoutData).toBe(4);
  });

  it('has no figure without data', () => {
    expect(computeUptime([], { windowMs: 1000, now: 0 })).toMatchObject({ uptime: null, reachability: null, runs: 0 });
  });
});
