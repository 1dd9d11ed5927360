import type { Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { PolicySpec } from '../schema/policy.js';
import {
  annotationTags,
  dashboardPanels,
  dashboardUid,
  decisionAnnotationExpr,
  type PanelSpec,
} from './dashboard-panels.js';
import * as m from '../metric-names.js';
import type { RenderTarget } from './render-target.js';

/**
 * `dashboard/grafana/canary-release-overview.json`, built with @grafana/grafana-foundation-sdk (imported
 * lazily: it is large and only `render grafana` needs it). Panels come from dashboard-panels.ts.
 */
type Sdk = Awaited<ReturnType<typeof loadSdk>>;

async function loadSdk() {
  const [dash, prom, ts, stat, bar, common] = await Promise.all([
    import('@grafana/grafana-foundation-sdk/dashboard'),
    import('@grafana/grafana-foundation-sdk/prometheus'),
    import('@grafana/grafana-foundation-sdk/timeseries'),
    import('@grafana/grafana-foundation-sdk/stat'),
    import('@grafana/grafana-foundation-sdk/bargauge'),
    import('@grafana/grafana-foundation-sdk/common'),
  ]);
  return { dash, prom, ts, stat, bar, common };
}

const PROM_DS = { type: 'prometheus', uid: '${datasource}' };
const GRAFANA_DS = { type: 'grafana', uid: '-- Grafana --' };

function thresholds(sdk: Sdk, t: PanelSpec['threshold']) {
  const steps = !t
    ? [{ value: null, color: 'green' }]
    : t.below
      ? [
          { value: null, color: 'red' },
          { value: t.value, color: 'green' },
        ]
      : [
          { value: null, color: 'green' },
          { value: t.value, color: 'red' },
        ];
  return new sdk.dash.ThresholdsConfigBuilder().mode(sdk.dash.ThresholdsMode.Absolute).steps(steps);
}

const lastValue = (sdk: Sdk) => new sdk.common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

function panel(sdk: Sdk, p: PanelSpec) {
  const b =
    p.kind === 'timeseries'
      ? new sdk.ts.PanelBuilder().thresholdsStyle(
          new sdk.common.GraphThresholdsStyleConfigBuilder().mode(
            p.threshold ? sdk.common.GraphThresholdsStyleMode.Dashed : sdk.common.GraphThresholdsStyleMode.Off,
          ),
        )
      : p.kind === 'stat'
        ? new sdk.stat.PanelBuilder().reduceOptions(lastValue(sdk))
        : new sdk.bar.PanelBuilder().reduceOptions(lastValue(sdk));
  b.title(p.title)
    .description(p.description)
    .unit(p.unit)
    .datasource(PROM_DS)
    .gridPos(p.gridPos)
    .thresholds(thresholds(sdk, p.threshold));
  if (p.min !== undefined) b.min(p.min);
  if (p.max !== undefined) b.max(p.max);
  for (const query of p.queries) {
    const t = new sdk.prom.DataqueryBuilder()
      .refId(query.refId)
      .expr(query.expr)
      .legendFormat(query.legend)
      .datasource(PROM_DS);
    if (query.instant) t.instant();
    // Bucket series as a histogram: Grafana sorts them by `le` and shows per-bucket counts.
    if (query.histogram) t.format(sdk.prom.PromQueryFormat.Heatmap);
    b.withTarget(t);
  }
  return b;
}

/**
 * The SDK's AnnotationQueryBuilder.target() wants a Builder<Dataquery>, which the classic tag filter of the
 * built-in Grafana datasource is not (AnnotationTargetBuilder does not type-check in 0.0.21).
 */
function tagFilter(tags: string[]) {
  const target = { type: 'tags', tags, limit: 100, matchAny: false };
  return { build: () => target as unknown as Dataquery };
}

export async function canaryDashboard(spec: PolicySpec): Promise<object> {
  const sdk = await loadSdk();
  const d = new sdk.dash.DashboardBuilder(`Canary Release Overview: ${spec.service}`)
    .uid(dashboardUid(spec))
    .description(
      `Canary releases of ${spec.service} (${spec.environment}): generated ` +
        `by adaptive-canary render grafana from canary.yaml.`,
    )
    .tags(['canary', 'adaptive-canary', spec.service])
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .withVariable(new sdk.dash.DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'))
    .withVariable(
      new sdk.dash.QueryVariableBuilder('rollout')
        .label('Rollout')
        .datasource(PROM_DS)
        .query(`label_values(${m.STEP}{service="${spec.service}"}, rollout)`)
        .refresh(sdk.dash.VariableRefresh.OnTimeRangeChanged)
        .includeAll(true)
        .allValue('.*')
        .multi(true),
    )
    .annotation(
      new sdk.dash.AnnotationQueryBuilder()
        .name('Canary decisions (controller)')
        .datasource(GRAFANA_DS)
        .enable(true)
        .iconColor('purple')
        .type('tags')
        .target(tagFilter(annotationTags(spec.service))),
    )
    .annotation(
      new sdk.dash.AnnotationQueryBuilder()
        .name('Decisions (metrics)')
        .datasource(PROM_DS)
        .enable(true)
        .iconColor('orange')
        .expr(decisionAnnotationExpr(spec))
        .titleFormat('{{decision}}')
        .textFormat('rollout {{rollout}}')
        .tagKeys('decision,rollout')
        .step('1m'),
    );
  for (const p of dashboardPanels(spec)) d.withPanel(panel(sdk, p));
  return d.build();
}

const target: RenderTarget = {
  name: 'grafana',
  summary: 'dashboard/grafana/canary-release-overview.json (Canary Release Overview)',
  async render({ policy }) {
    const json = JSON.stringify(await canaryDashboard(policy.spec), null, 2) + '\n';
    return [{ path: 'dashboard/grafana/canary-release-overview.json', content: json }];
  },
};

export default target;
