import { describe, expect, it } from 'vitest';
import { customQuery, latencyQuery, requestsQuery } from './promql.js';
import { bucketsFromCumulative, windowDelta } from './window.js';

const win: [number, number] = [100, 110];

describe('windowDelta', () => {
  it('subtracts the start from the end', () => {
    expect(
      windowDelta(
        {
          metric: {},
          values: [
            [100, 40],
            [110, 55],
          ],
        },
        win,
      ),
    ).toBe(15);
  });
  it('counts a series that appeared inside the window from 0, and a reset from 0', () => {
    expect(windowDelta({ metric: {}, values: [[110, 7]] }, win)).toBe(7);
    expect(
      windowDelta(
        {
          metric: {},
          values: [
            [100, 400],
            [110, 3],
          ],
        },
        win,
      ),
    ).toBe(3);
  });
  it('a series gone by the end, or NaN, counts nothing', () => {
    expect(windowDelta({ metric: {}, values: [[100, 4]] }, win)).toBe(0);
    expect(
      windowDelta(
        {
          metric: {},
          values: [
            [100, 4],
            [110, NaN],
          ],
        },
        win,
      ),
    ).toBe(0);
  });
});

describe('bucketsFromCumulative', () => {
  it('turns cumulative le buckets (s) into per-bucket counts over the policy bounds (ms)', () => {
    const cum = [
      { le: '0.01', count: 5 },
      { le: '0.1', count: 8 },
      { le: '1', count: 9 },
      { le: '+Inf', count: 10 },
    ];
    expect(bucketsFromCumulative(cum, [10, 100, 1000])).toEqual([5, 3, 1, 1]);
    // A bound the service does not expose takes the nearest bucket below it.
    expect(bucketsFromCumulative(cum, [10, 50, 1000])).toEqual([5, 0, 4, 1]);
  });
  it('no +Inf bucket is no data', () => {
    expect(bucketsFromCumulative([{ le: '0.1', count: 3 }], [100])).toBeNull();
  });
});

describe('PromQL templates', () => {
  const v = { label: 'version', baseline: '1.4.0', canary: '1.5.0' };
  it('select both variants exactly, with escaped regex and string literals', () => {
    expect(requestsQuery({ requests: 'http_requests_total', latency: 'x' }, { job: 'a"b' }, v)).toBe(
      'sum by (version, code) (http_requests_total{job="a\\"b",version=~"1\\\\.4\\\\.0|1\\\\.5\\\\.0"})',
    );
    expect(
      latencyQuery(
        { requests: 'r', latency: 'http_request_duration_seconds' },
        {},
        { label: 'rollouts_pod_template_hash', baseline: 'abc', canary: 'def' },
      ),
    ).toBe(
      'sum by (rollouts_pod_template_hash, le) ' +
        '(http_request_duration_seconds_bucket{rollouts_pod_template_hash=~"abc|def"})',
    );
    expect(customQuery('sum(rate(x{$variant}[1m]))', 'version', '1.5.0')).toBe('sum(rate(x{version="1.5.0"}[1m]))');
  });
});
