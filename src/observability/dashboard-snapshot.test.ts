import { describe, expect, it } from 'vitest';
import { policySpec } from '../schema/policy.js';
import { snapshotDashboard, substitute } from './dashboard-snapshot.js';

describe('dashboard snapshot', () => {
  it('substitutes the dashboard variables like Grafana would', () => {
    const expr = 'rate(x{rollout=~"$rollout"}[$__rate_interval]) + increase(y[$__range])';
    expect(substitute(expr, { stepSeconds: 15, rangeSeconds: 3600 })).toBe(
      'rate(x{rollout=~".*"}[60s]) + increase(y[3600s])',
    );
    expect(substitute(expr, { stepSeconds: 30, rangeSeconds: 90, rollout: 'r1.2' })).toBe(
      'rate(x{rollout=~"r1\\\\.2"}[120s]) + increase(y[90s])',
    );
  });

  it('records a failing Prometheus per query instead of throwing', async () => {
    const calls: string[] = [];
    const fetch = (url: string) => {
      calls.push(url);
      return Promise.resolve(
        new Response(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }), { status: 400 }),
      );
    };
    const snap = await snapshotDashboard({
      prometheusUrl: 'http://prom:9090',
      spec: policySpec.parse({ service: 'maestro-api' }),
      start: 0,
      end: 3_600_000,
      fetch,
    });
    expect(snap.stepSeconds).toBe(15);
    const queries = snap.panels.flatMap((p) => p.queries);
    expect(queries.length).toBe(calls.length);
    expect(queries.every((q) => q.series.length === 0 && q.error?.includes('HTTP 400'))).toBe(true);
    expect(calls.some((u) => u.includes('/api/v1/query_range?') && u.includes('step=15'))).toBe(true);
    expect(calls.some((u) => u.includes('/api/v1/query?') && u.includes('time=3600'))).toBe(true);
  });
});
