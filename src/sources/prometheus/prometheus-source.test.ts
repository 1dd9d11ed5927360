import { describe, expect, it } from 'vitest';
import { PrometheusSource } from './prometheus-source.js';

/** A stand-in for Prometheus that records each query and answers one request series per variant label value. */
function fakePrometheus(): { fetch: typeof fetch; queries: string[]; steps: string[] } {
  const queries: string[] = [];
  const steps: string[] = [];
  const fetchFn = ((_url: URL, init?: RequestInit) => {
    const query = (init?.body as URLSearchParams).get('query') ?? '';
    queries.push(query);
    steps.push((init?.body as URLSearchParams).get('step') ?? '');
    const values = [...(/=~"([^"]*)"/.exec(query)?.[1] ?? '').split('|')];
    const result = query.includes('_bucket')
      ? []
      : values.map((hash) => ({
          metric: { rollouts_pod_template_hash: hash, code: '200' },
          values: [
            [0, '0'],
            [10, '100'],
          ],
        }));
    return Promise.resolve(new Response(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } })));
  }) as typeof fetch;
  return { fetch: fetchFn, queries, steps };
}

describe('PrometheusSource.setControl', () => {
  it('selects the baseline pods as control once told their hash, and stops when told none', async () => {
    const prom = fakePrometheus();
    const source = new PrometheusSource({
      url: 'http://prometheus.test',
      retries: 0,
      variant: { label: 'rollouts_pod_template_hash', baseline: 'st4b1e', canary: 'c4n4ry' },
      latencyBoundsMs: [100],
      fetch: prom.fetch,
    });
    expect(await source.observeWindow(0, 10_000)).not.toHaveProperty('control');
    source.setControl('base1x7');
    const withControl = await source.observeWindow(0, 10_000);
    expect(prom.queries.at(-1)).toContain('"st4b1e|c4n4ry|base1x7"');
    expect(withControl.control).toMatchObject({ requests: 100, errors: 0 });
    source.setControl(undefined);
    expect(await source.observeWindow(0, 10_000)).not.toHaveProperty('control');
    expect(prom.queries.at(-1)).toContain('"st4b1e|c4n4ry"');
  });
});

describe('PrometheusSource windows', () => {
  it('asks for the window as a whole-millisecond step, which Prometheus does not truncate', async () => {
    // 1.001 s as float seconds is 1000 ms to Prometheus: the end point would fall 1 ms short of the window's end.
    const prom = fakePrometheus();
    const source = new PrometheusSource({
      url: 'http://prometheus.test',
      retries: 0,
      variant: { label: 'rollouts_pod_template_hash', baseline: 'st4b1e', canary: 'c4n4ry' },
      latencyBoundsMs: [100],
      fetch: prom.fetch,
    });
    await source.observeWindow(1_733_000_000_000, 1_733_000_001_001);
    expect(prom.steps).toEqual(['1001ms', '1001ms']);
  });
});
