import type { PolicySpec } from '../schema/policy.js';
import { SLO_NAME } from './alert-catalog.js';
import { errorBudgetRatio, scaledWindows } from './burn-rate.js';
import { CANARY_WINDOWS } from './prometheus-rules.js';
import * as m from '../metric-names.js';

/**
 * The Canary Release Overview's panels as plain data: the Grafana renderer turns them into a dashboard and
 * the evidence snapshot (src/observability/dashboard-snapshot.ts) runs the same queries against Prometheus,
 * so the evidence shows exactly what the dashboard showed. Queries may use `$rollout`, `$__rate_interval`
 * and `$__range`, which both substitute.
 */
export interface PanelQuery {
  refId: string;
  expr: string;
  legend: string;
  /** One value at the end of the range (bar gauges, stats) instead of a series. */
  instant?: boolean;
  /** `le`-labelled bucket series shown as a histogram. */
  histogram?: boolean;
}

export interface PanelSpec {
  title: string;
  description: string;
  kind: 'timeseries' | 'stat' | 'bargauge';
  unit: string;
  gridPos: { x: number; y: number; w: number; h: number };
  queries: PanelQuery[];
  /** Red from this value up (or, with `below`, under it): the policy's threshold drawn on the panel. */
  threshold?: { value: number; below?: boolean };
  min?: number;
  max?: number;
}

const q = (refId: string, expr: string, legend: string, instant = false): PanelQuery => ({
  refId,
  expr,
  legend,
  ...(instant ? { instant } : {}),
});

export function dashboardUid(spec: PolicySpec): string {
  return spec.grafana.dashboardUid ?? `${spec.service}-canary`.slice(0, 40);
}

function trafficPanels(spec: PolicySpec): PanelSpec[] {
  const sel = m.serviceSelector(spec.service);
  const by = `sum by (${m.VARIANT_LABEL})`;
  const rate = (extra: string) => `${by} (rate(${m.HTTP_REQUESTS}{${sel}${extra}}[$__rate_interval]))`;
  const hq = (p: number) =>
    `histogram_quantile(${p}, sum by (le, ${m.VARIANT_LABEL}) (rate(${m.HTTP_DURATION_BUCKET}` +
    `{${sel}}[$__rate_interval])))`;
  const legend = `{{${m.VARIANT_LABEL}}}`;
  return [
    {
      title: 'Request rate: canary vs stable',
      description: 'Requests per second by version.',
      kind: 'timeseries',
      unit: 'reqps',
      gridPos: { x: 0, y: 8, w: 8, h: 8 },
      queries: [q('A', rate(''), legend)],
    },
    {
      title: 'Error ratio: canary vs stable',
      description: 'Share of 5xx responses by version.',
      kind: 'timeseries',
      unit: 'percentunit',
      gridPos: { x: 8, y: 8, w: 8, h: 8 },
      min: 0,
      // `or … * 0`: a version without any 5xx still gets a line (at 0) instead of vanishing.
      queries: [q('A', `(\n${rate(`,${m.ERROR_CODE_MATCHER}`)}\nor ${rate('')} * 0\n)\n/\n${rate('')}`, legend)],
    },
    {
      title: 'Latency quantiles: canary vs stable',
      description: 'p50, p90 and p99 request duration by version.',
      kind: 'timeseries',
      unit: 's',
      gridPos: { x: 16, y: 8, w: 8, h: 8 },
      queries: [q('A', hq(0.5), `p50 ${legend}`), q('B', hq(0.9), `p90 ${legend}`), q('C', hq(0.99), `p99 ${legend}`)],
    },
  ];
}

function controllerPanels(spec: PolicySpec): PanelSpec[] {
  const s = `service="${spec.service}",rollout=~"$rollout"`;
  return [
    {
      title: 'Composite score',
      description: `Weighted health of the canary (0-1); promotion needs ${spec.promotion.minScore}.`,
      kind: 'timeseries',
      unit: 'percentunit',
      gridPos: { x: 0, y: 0, w: 8, h: 8 },
      min: 0,
      max: 1,
      threshold: { value: spec.promotion.minScore, below: true },
      queries: [q('A', `${m.SCORE}{${s}}`, '{{rollout}}')],
    },
    {
      title: 'Canary weight and step',
      description: 'Traffic share of the canary (%) and the rollout step.',
      kind: 'timeseries',
      unit: 'none',
      gridPos: { x: 8, y: 0, w: 8, h: 8 },
      queries: [
        q('A', `${m.CANARY_WEIGHT}{${s}}`, 'weight % {{rollout}}'),
        q('B', `${m.STEP}{${s}}`, 'step {{rollout}}'),
      ],
    },
    {
      title: 'Synthetic availability',
      description:
        `Probe success ratio per flow; below ${spec.promotion.synthetic.minScore}` +
        ` for ${spec.promotion.synthetic.consecutive} intervals rolls back.`,
      kind: 'timeseries',
      unit: 'percentunit',
      gridPos: { x: 16, y: 0, w: 8, h: 8 },
      min: 0,
      max: 1,
      threshold: { value: spec.promotion.synthetic.minScore, below: true },
      queries: [q('A', `avg by (flow) (avg_over_time(${m.PROBE_SUCCESS}[$__rate_interval]))`, '{{flow}}')],
    },
  ];
}

function budgetPanels(spec: PolicySpec): PanelSpec[] {
  const budget = errorBudgetRatio(spec.promotion.errorBudget.slo);
  const sel = `{service="${spec.service}",slo="${SLO_NAME}"}`;
  const windows = scaledWindows(spec.promotion.errorBudget.period);
  const page = windows[0]?.factor ?? 1;
  const burn = windows
    .filter((w, i) => windows.findIndex((o) => o.long === w.long) === i)
    .map((w, i) =>
      q(
        String.fromCharCode(65 + i),
        `${m.sliErrorRatio(w.long)}${sel} / ${budget}`,
        `burn ${w.long} (${w.severity} > ${w.factor})`,
      ),
    );
  burn.push(
    q(
      String.fromCharCode(65 + burn.length),
      `${m.variantErrorRatio(CANARY_WINDOWS.short)}{service="${spec.service}` +
        `",variant="${m.CANARY_VALUE}",rollout=~"$rollout"} / ${budget}`,
      'canary own burn 5m {{rollout}}',
    ),
  );
  return [
    {
      title: 'Error budget burn rate',
      description:
        `Error ratio / (1 - SLO ${spec.promotion.errorBudget.slo}) per window; ` + `1 = on budget, ${page} pages.`,
      kind: 'timeseries',
      unit: 'none',
      gridPos: { x: 0, y: 16, w: 16, h: 8 },
      threshold: { value: page },
      queries: burn,
    },
    {
      title: 'Error budget remaining',
      description: "Share of this period's error budget left.",
      kind: 'stat',
      unit: 'percentunit',
      gridPos: { x: 16, y: 16, w: 8, h: 8 },
      threshold: { value: 1 - spec.promotion.errorBudget.maxBurn, below: true },
      queries: [q('A', `${m.ERROR_BUDGET_REMAINING}{service="${spec.service}"}`, 'remaining', true)],
    },
  ];
}

function rollbackPanels(spec: PolicySpec): PanelSpec[] {
  const metric = m.rollbackDurationMetric(spec.service);
  const range = `sum by (le) (increase(${metric}_bucket[$__range]))`;
  return [
    {
      title: 'Rollback duration histogram',
      description: `Rollbacks by duration bucket (${metric}) in the time range.`,
      kind: 'bargauge',
      unit: 'none',
      gridPos: { x: 0, y: 24, w: 12, h: 8 },
      queries: [{ ...q('A', range, '≤ {{le}}s', true), histogram: true }],
    },
    {
      title: 'Rollback duration median and p95',
      description: 'The playbook target is a median under 5 minutes.',
      kind: 'stat',
      unit: 's',
      gridPos: { x: 12, y: 24, w: 12, h: 8 },
      threshold: { value: 300 },
      queries: [
        q('A', `histogram_quantile(0.5, ${range})`, 'median', true),
        q('B', `histogram_quantile(0.95, ${range})`, 'p95', true),
      ],
    },
  ];
}

export function dashboardPanels(spec: PolicySpec): PanelSpec[] {
  return [...controllerPanels(spec), ...trafficPanels(spec), ...budgetPanels(spec), ...rollbackPanels(spec)];
}

/** Prometheus annotation query: one marker per decision, titled with the decision. */
export function decisionAnnotationExpr(spec: PolicySpec): string {
  return (
    `sum by (decision, rollout) (increase(${m.DECISIONS_TOTAL}{service="${spec.service}` +
    `",rollout=~"$rollout"}[1m])) > 0`
  );
}

/** Tags the controller puts on its Grafana annotations; the dashboard shows annotations carrying all of them. */
export const annotationTags = (service: string): string[] => ['adaptive-canary', service];
