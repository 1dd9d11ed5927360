import { formatDuration } from '../schema/duration.js';
import type { PolicySpec } from '../schema/policy.js';
import { ALERTS, SLO_NAME, ruleLabels, type AlertSpec } from './alert-catalog.js';
import { errorBudgetRatio, recordedWindows, scaledWindows, type ScaledWindow } from './burn-rate.js';
import * as m from '../metric-names.js';

/**
 * `prometheus/canary-rules.yaml`: SLI recording rules over the workbook windows, multiwindow multi-burn-rate
 * page/ticket alerts scaled from the policy's SLO and period, the canary's own burn, and controller alerts.
 */
export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

/** Windows used for the canary's own burn: a canary lives minutes to hours, so only the fast pair. */
export const CANARY_WINDOWS = { long: '30m', short: '5m' } as const;

function errorRatioExpr(sel: string, window: string, by = ''): string {
  const errors = `sum${by}(rate(${m.HTTP_REQUESTS}{${sel},${m.ERROR_CODE_MATCHER}}[${window}]))`;
  const total = `sum${by}(rate(${m.HTTP_REQUESTS}{${sel}}[${window}]))`;
  // Without any 5xx series the numerator is empty; fall back to 0 so the ratio exists whenever traffic does.
  const zero = by ? `${total} * 0` : 'vector(0)';
  return `(\n  ${errors}\n  or ${zero}\n)\n/\n${total}`;
}

/**
 * Per-version series → labelled with the rollout and its variant (canary/baseline) via the controller's info
 * series. Its value is the rollout's start time, so when a stale series from an earlier rollout names the same
 * version, `topk` keeps the newest and the join never fails on duplicates.
 */
function byVariant(spec: PolicySpec, expr: string): string {
  const info = `(topk by (${m.VARIANT_LABEL}) (1, ${m.VARIANT_INFO}{service="${spec.service}"}) * 0 + 1)`;
  return `(\n${expr}\n)\n* on (${m.VARIANT_LABEL}) group_left (rollout, variant)\n${info}`;
}

function recordingGroup(spec: PolicySpec): RuleGroup {
  const sel = m.serviceSelector(spec.service);
  const labels = { service: spec.service, slo: SLO_NAME };
  const by = ` by (${m.VARIANT_LABEL}) `;
  const budget = errorBudgetRatio(spec.promotion.errorBudget.slo);
  const periodMs = spec.promotion.errorBudget.period;
  const period = formatDuration(periodMs);
  const rules: Rule[] = recordedWindows(periodMs).map((w) => ({
    record: m.sliErrorRatio(w),
    expr: errorRatioExpr(sel, w),
    labels,
  }));
  for (const w of [CANARY_WINDOWS.short, CANARY_WINDOWS.long]) {
    rules.push({ record: m.variantErrorRatio(w), expr: byVariant(spec, errorRatioExpr(sel, w, by)), labels });
  }
  rules.push(
    {
      record: m.VARIANT_REQUEST_RATE,
      expr: byVariant(spec, `sum${by}(rate(${m.HTTP_REQUESTS}{${sel}}[5m]))`),
      labels: { service: spec.service },
    },
    { record: m.SLO_OBJECTIVE, expr: `vector(${spec.promotion.errorBudget.slo})`, labels },
    { record: m.ERROR_BUDGET, expr: `vector(${budget})`, labels },
    { record: m.SLO_PERIOD_DAYS, expr: `vector(${periodMs / 86_400_000})`, labels },
    {
      record: m.sliErrorRatio(period),
      expr: `avg_over_time(${m.sliErrorRatio('5m')}{service="${spec.service}"}[${period}])`,
      labels,
    },
    {
      record: m.ERROR_BUDGET_REMAINING,
      expr: `1 - ${m.sliErrorRatio(period)}{service="${spec.service}"} / ${budget}`,
      labels,
    },
  );
  return { name: `adaptive-canary-${spec.service}-sli-recordings`, rules };
}

const sliSel = (service: string) => `{service="${service}",slo="${SLO_NAME}"}`;

function burnCondition(service: string, w: ScaledWindow, budget: number): string {
  const sel = sliSel(service);
  return (
    `(\n  ${m.sliErrorRatio(w.long)}${sel} > (${w.factor} * ${budget})\n  ` +
    `and\n  ${m.sliErrorRatio(w.short)}${sel} > (${w.factor} * ${budget}` +
    `)\n)`
  );
}

function alertRule(
  spec: AlertSpec,
  service: string,
  expr: string,
  annotations: Record<string, string>,
  forDuration?: string,
): Rule {
  return {
    alert: spec.alertname,
    expr,
    ...(forDuration ? { for: forDuration } : {}),
    labels: ruleLabels(spec),
    annotations,
  };
}

function sloAlerts(spec: PolicySpec): Rule[] {
  const budget = errorBudgetRatio(spec.promotion.errorBudget.slo);
  const period = formatDuration(spec.promotion.errorBudget.period);
  const windows = scaledWindows(spec.promotion.errorBudget.period);
  const rules: Rule[] = [];
  for (const alert of [ALERTS.servicePage, ALERTS.serviceTicket]) {
    const ws = windows.filter((w) => w.severity === alert.severity);
    if (ws.length === 0) continue;
    const pairs = ws
      .map((w) => `${w.factor}x over ${w.long} and ${w.short} (${w.consumed * 100}% of the budget)`)
      .join('; ');
    rules.push(
      alertRule(alert, spec.service, ws.map((w) => burnCondition(spec.service, w, budget)).join('\nor\n'), {
        summary: `${spec.service} is burning its ${period} error budget (${alert.severity})`,
        description:
          `The 5xx ratio of ${spec.service} exceeds the burn-rate threshold for ` +
          `its ${spec.promotion.errorBudget.slo * 100}% SLO: ${pairs}.`,
      }),
    );
  }
  return rules;
}

function canaryBurnAlert(spec: PolicySpec): Rule {
  const budget = errorBudgetRatio(spec.promotion.errorBudget.slo);
  const fast = scaledWindows(spec.promotion.errorBudget.period)[0]?.factor ?? 1;
  const sel = `{service="${spec.service}",variant="${m.CANARY_VALUE}"}`;
  const cond = (w: string) => `${m.variantErrorRatio(w)}${sel} > (${fast} * ${budget})`;
  return alertRule(
    ALERTS.canaryBurn,
    spec.service,
    `${cond(CANARY_WINDOWS.long)}\nand\n${cond(CANARY_WINDOWS.short)}`,
    {
      summary: `The ${spec.service} canary burns error budget ${fast}x faster than the SLO allows`,
      description:
        `The canary's own 5xx ratio is above ${fast} x ${budget} over ${CANARY_WINDOWS.long}` +
        ` and ${CANARY_WINDOWS.short}; the controller should be rolling it ` +
        `back.`,
    },
  );
}

/** Analysis is stuck after five missed intervals, and never sooner than a minute. */
export function stuckAfterSeconds(spec: PolicySpec): number {
  return Math.max(60, Math.ceil((5 * spec.interval) / 1000));
}

function controllerAlerts(spec: PolicySpec): Rule[] {
  const s = `service="${spec.service}"`;
  const inProgress = `max by (service, rollout) (${m.CANARY_WEIGHT}{${s}}) > 0`;
  return [
    alertRule(
      ALERTS.rolledBack,
      spec.service,
      `sum by (service, rollout) (increase(${m.DECISIONS_TOTAL}{${s},decision="${m.DECISION_ROLLBACK}"}[15m])) > 0`,
      {
        summary: `${spec.service} rollout {{ $labels.rollout }} was rolled back`,
        description:
          'adaptive-canary decided to roll back; the reasons are in .evidence/ ' +
          'and on the Canary Release Overview dashboard.',
      },
    ),
    alertRule(
      ALERTS.analysisStuck,
      spec.service,
      `(time() - max by (service, rollout) (${m.LAST_ANALYSIS_TIMESTAMP}{${s}` +
        `})) > ${stuckAfterSeconds(spec)}\nand on (service, rollout)\n${inProgress}`,
      {
        summary: `${spec.service} rollout {{ $labels.rollout }}: no analysis for over ${stuckAfterSeconds(spec)}s`,
        description:
          'The canary holds traffic but the controller has stopped judging it. ' +
          'Check the controller and its data sources.',
      },
      '1m',
    ),
    alertRule(
      ALERTS.noData,
      spec.service,
      `${inProgress}\nunless on (service, rollout)\n${m.VARIANT_REQUEST_RATE}{${s},variant="${m.CANARY_VALUE}"} > 0`,
      {
        summary: `${spec.service} rollout {{ $labels.rollout }}: the canary has weight but no requests`,
        description:
          'No canary traffic reaches Prometheus: the judge has nothing to judge. ' +
          'Check the router, the version label and the scrape.',
      },
      '2m',
    ),
  ];
}

export function canaryRuleGroups(spec: PolicySpec): RuleGroup[] {
  return [
    recordingGroup(spec),
    { name: `adaptive-canary-${spec.service}-slo-alerts`, rules: [...sloAlerts(spec), canaryBurnAlert(spec)] },
    { name: `adaptive-canary-${spec.service}-controller-alerts`, rules: controllerAlerts(spec) },
  ];
}
