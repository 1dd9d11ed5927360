import { dashboardPanels, type PanelQuery } from '../render/dashboard-panels.js';
import type { PolicySpec } from '../schema/policy.js';
import { INPUT_LIMITS } from '../schema/input-limits.js';
import { joinUrl, requestJson, type FetchLike } from './http.js';

/**
 * The playbook's "dashboard snapshot" for the evidence: the Canary Release Overview's panel queries run
 * against Prometheus over the rollout window, stored as data (not a picture), so reviewers see the numbers.
 */
export interface SnapshotInput {
  prometheusUrl: string;
  spec: PolicySpec;
  /** Window in epoch milliseconds. */
  start: number;
  end: number;
  /** Only this rollout's controller series (default: all). */
  rollout?: string;
  /** Resolution (default: window / 240, at least 15 s). */
  stepSeconds?: number;
  fetch?: FetchLike;
  timeoutMs?: number;
}

/** `[unix seconds, value]`; `null` where Prometheus said NaN or ±Inf, so the snapshot survives JSON unchanged. */
export interface SnapshotSeries {
  metric: Record<string, string>;
  values: [number, number | null][];
}

export interface SnapshotQuery {
  refId: string;
  legend: string;
  /** The PromQL actually run (dashboard variables substituted). */
  expr: string;
  series: SnapshotSeries[];
  error?: string;
}

export interface DashboardSnapshot {
  prometheusUrl: string;
  start: string;
  end: string;
  stepSeconds: number;
  panels: { title: string; unit: string; queries: SnapshotQuery[] }[];
}

/** Grafana's `$__rate_interval` is at least four scrape intervals; we use four steps and never under 1m. */
export function substitute(expr: string, v: { stepSeconds: number; rangeSeconds: number; rollout?: string }): string {
  const rateInterval = `${Math.max(60, 4 * v.stepSeconds)}s`;
  const rollout = v.rollout ? v.rollout.replace(/[.*+?^${}()|[\]\\"]/g, '\\\\$&') : '.*';
  return expr
    .replaceAll('$__rate_interval', rateInterval)
    .replaceAll('$__range', `${Math.max(1, Math.round(v.rangeSeconds))}s`)
    .replaceAll('$rollout', rollout);
}

type PromData = {
  resultType: string;
  result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];
};

async function runQuery(input: SnapshotInput, q: PanelQuery, stepSeconds: number): Promise<SnapshotQuery> {
  const expr = substitute(q.expr, {
    stepSeconds,
    rangeSeconds: (input.end - input.start) / 1000,
    rollout: input.rollout,
  });
  const params = new URLSearchParams({ query: expr });
  if (q.instant) params.set('time', String(input.end / 1000));
  else {
    params.set('start', String(input.start / 1000));
    params.set('end', String(input.end / 1000));
    params.set('step', String(stepSeconds));
  }
  const path = q.instant ? '/api/v1/query' : '/api/v1/query_range';
  const res = await requestJson<{ status: string; data: PromData; error?: string }>({
    url: `${joinUrl(input.prometheusUrl, path)}?${params.toString()}`,
    fetch: input.fetch,
    timeoutMs: input.timeoutMs,
    maxBytes: INPUT_LIMITS.prometheusResponse,
  });
  const base = { refId: q.refId, legend: q.legend, expr };
  if (!res.ok) return { ...base, series: [], error: res.error };
  if (res.body.status !== 'success') return { ...base, series: [], error: res.body.error ?? 'query failed' };
  const series = res.body.data.result.map((r) => ({
    metric: r.metric,
    values: (r.values ?? (r.value ? [r.value] : [])).map(
      ([t, v]) => [t, Number.isFinite(Number(v)) ? Number(v) : null] as [number, number | null],
    ),
  }));
  return { ...base, series };
}

/**
 * Runs every panel query of the dashboard for the window. Never throws: a failed query carries `error`.
 *
 * @example
 * const snap = await snapshotDashboard({ prometheusUrl: 'http://127.0.0.1:9090', spec: policy.spec,
 *   start: rollout.startedAt, end: Date.now(), rollout: rollout.id });
 * writeFileSync(join(evidenceDir, 'dashboard-snapshot.json'), JSON.stringify(snap));
 */
export async function snapshotDashboard(input: SnapshotInput): Promise<DashboardSnapshot> {
  const stepSeconds = input.stepSeconds ?? Math.max(15, Math.ceil((input.end - input.start) / 1000 / 240));
  const panels = [];
  for (const p of dashboardPanels(input.spec)) {
    const queries = await Promise.all(p.queries.map((q) => runQuery(input, q, stepSeconds)));
    panels.push({ title: p.title, unit: p.unit, queries });
  }
  return {
    prometheusUrl: input.prometheusUrl,
    start: new Date(input.start).toISOString(),
    end: new Date(input.end).toISOString(),
    stepSeconds,
    panels,
  };
}
