import type { PolicySpec } from '../schema/policy.js';
import { ALERTS, SLO_NAME, ruleLabels, type AlertSpec } from './alert-catalog.js';
import { errorBudgetRatio, scaledWindows } from './burn-rate.js';
import { canaryRuleGroups, stuckAfterSeconds, type Rule } from './prometheus-rules.js';
import * as m from '../metric-names.js';

/**
 * `prometheus/canary-rules.test.yaml` for `promtool test rules`: each alert fires on the series it is about
 * and stays quiet on the wrong ones (4xx, another job, the stable version, another service, a finished
 * rollout). Series rates are derived from the policy's thresholds, so the tests follow the policy.
 */
interface ExpAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}
interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpAlert[];
}
interface UnitTest {
  name: string;
  interval: string;
  input_series: { series: string; values: string }[];
  alert_rule_test: AlertTest[];
}

function expand(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => labels[k] ?? '');
}

function expected(rules: Rule[], spec: AlertSpec, labels: Record<string, string>): ExpAlert {
  const rule = rules.find((r) => r.alert === spec.alertname && r.labels?.severity === spec.severity);
  if (!rule) throw new Error(`no rule for ${spec.alertname}/${spec.severity}`);
  const all = { ...labels, ...ruleLabels(spec) };
  const annotations = Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, expand(v, all)]));
  return { exp_labels: all, exp_annotations: annotations };
}

/** Example versions; which is the canary comes from the controller's variant info series. */
const STABLE = '1.4.0';
const CANARY = '1.5.0';

/** The controller's variant info for a rollout started at `startedAt` (unix seconds). */
const variantInfo = (svc: string, rollout: string, minutes: number, canary = CANARY, startedAt = 0) => [
  {
    series:
      `${m.VARIANT_INFO}{service="${svc}",rollout="${rollout}",variant="${m.BASELINE_VALUE}` +
      `",${m.VARIANT_LABEL}="${STABLE}"}`,
    values: `${startedAt}x${minutes}`,
  },
  {
    series:
      `${m.VARIANT_INFO}{service="${svc}",rollout="${rollout}",variant="${m.CANARY_VALUE}` +
      `",${m.VARIANT_LABEL}="${canary}"}`,
    values: `${startedAt}x${minutes}`,
  },
];

const http = (job: string, code: string, version: string) =>
  `${m.HTTP_REQUESTS}{job="${job}",code="${code}",${m.VARIANT_LABEL}="${version}"}`;

/** Per-minute counter increments giving an error ratio of `ratio` (of 10 000 requests a minute). */
function traffic(job: string, version: string, ratio: number, minutes: number) {
  const errors = Math.round(10_000 * ratio);
  return [
    { series: http(job, '200', version), values: `0+${10_000 - errors}x${minutes}` },
    { series: http(job, '500', version), values: `0+${errors}x${minutes}` },
  ];
}

function sloTests(spec: PolicySpec, rules: Rule[]): UnitTest[] {
  const svc = spec.service;
  const budget = errorBudgetRatio(spec.promotion.errorBudget.slo);
  const windows = scaledWindows(spec.promotion.errorBudget.period);
  const fast = windows[0]!.factor;
  const slowTicket = windows.find((w) => w.severity === 'ticket');
  const sloLabels = { service: svc, slo: SLO_NAME };
  const tests: UnitTest[] = [
    {
      name: `fast burn on ${svc} 5xx pages (and tickets); the canary alert stays quiet because only stable fails`,
      interval: '1m',
      input_series: traffic(svc, STABLE, Math.min(0.5, fast * budget * 2), 180),
      alert_rule_test: [
        {
          eval_time: '90m',
          alertname: ALERTS.servicePage.alertname,
          exp_alerts: [
            expected(rules, ALERTS.servicePage, sloLabels),
            ...(slowTicket ? [expected(rules, ALERTS.serviceTicket, sloLabels)] : []),
          ],
        },
        { eval_time: '90m', alertname: ALERTS.canaryBurn.alertname, exp_alerts: [] },
      ],
    },
    {
      name: `4xx on ${svc} and 5xx on another job do not burn ${svc}'s budget`,
      interval: '1m',
      input_series: [
        { series: http(svc, '200', STABLE), values: '0+5000x180' },
        { series: http(svc, '404', STABLE), values: '0+5000x180' },
        ...traffic('other-service', STABLE, 0.5, 180),
      ],
      alert_rule_test: [{ eval_time: '90m', alertname: ALERTS.servicePage.alertname, exp_alerts: [] }],
    },
  ];
  if (slowTicket) {
    const between = windows.filter((w) => w.severity === 'page').map((w) => w.factor);
    // A burn above the slowest ticket factor but below every page factor: ticket only.
    const burn = (slowTicket.factor + Math.min(...between)) / 2;
    tests.push({
      name: `slow burn (${burn}x) on ${svc} opens a ticket but does not page`,
      interval: '1m',
      input_series: traffic(svc, STABLE, burn * budget, 480),
      alert_rule_test: [
        {
          eval_time: '7h',
          alertname: ALERTS.servicePage.alertname,
          exp_alerts: [expected(rules, ALERTS.serviceTicket, sloLabels)],
        },
      ],
    });
  }
  return tests;
}

function canaryTests(spec: PolicySpec, rules: Rule[]): UnitTest {
  const svc = spec.service;
  const budget = errorBudgetRatio(spec.promotion.errorBudget.slo);
  const fast = scaledWindows(spec.promotion.errorBudget.period)[0]!.factor;
  return {
    name: `a failing canary of ${svc} fires the canary burn alert while the service as a whole stays within budget`,
    interval: '1m',
    input_series: [
      { series: http(svc, '200', CANARY), values: '0+100x60' },
      { series: http(svc, '500', CANARY), values: `0+${Math.ceil(100 * fast * budget * 2)}x60` },
      { series: http(svc, '200', STABLE), values: '0+2000000x60' },
      // A stale info series from an older rollout r0 names the same version; the newer r1 must win.
      ...variantInfo(svc, 'r0', 60, CANARY, 100),
      ...variantInfo(svc, 'r1', 60, CANARY, 200),
    ],
    alert_rule_test: [
      {
        eval_time: '20m',
        alertname: ALERTS.canaryBurn.alertname,
        exp_alerts: [
          expected(rules, ALERTS.canaryBurn, {
            service: svc,
            slo: SLO_NAME,
            rollout: 'r1',
            variant: m.CANARY_VALUE,
            [m.VARIANT_LABEL]: CANARY,
          }),
        ],
      },
      { eval_time: '20m', alertname: ALERTS.servicePage.alertname, exp_alerts: [] },
    ],
  };
}

function controllerTests(spec: PolicySpec, rules: Rule[]): UnitTest[] {
  const svc = spec.service;
  const s = (name: string, rollout: string, extra = '') => `${name}{service="${svc}",rollout="${rollout}"${extra}}`;
  const stuckMin = Math.ceil(stuckAfterSeconds(spec) / 60) + 4;
  const canaryTraffic = (values: string) => ({ series: http(svc, '200', CANARY), values });
  return [
    {
      name: 'a rollback decision alerts for that rollout only, not for promotions or other services',
      interval: '1m',
      input_series: [
        { series: s(m.DECISIONS_TOTAL, 'r1', `,decision="${m.DECISION_ROLLBACK}"`), values: '0 0 0 1 1 1 1 1 1 1' },
        { series: s(m.DECISIONS_TOTAL, 'r0', `,decision="${m.DECISION_PROMOTE}"`), values: '0 1 1 1 1 1 1 1 1 1' },
        {
          series: `${m.DECISIONS_TOTAL}{service="other-service",rollout="x",decision="${m.DECISION_ROLLBACK}"}`,
          values: '0 1 1 1 1 1 1 1 1 1',
        },
      ],
      alert_rule_test: [
        { eval_time: '2m', alertname: ALERTS.rolledBack.alertname, exp_alerts: [] },
        {
          eval_time: '5m',
          alertname: ALERTS.rolledBack.alertname,
          exp_alerts: [expected(rules, ALERTS.rolledBack, { service: svc, rollout: 'r1' })],
        },
      ],
    },
    {
      name: 'analysis stuck fires for a rollout in progress whose analysis stopped, not for a live or finished one',
      interval: '1m',
      input_series: [
        // The timestamp stops advancing at 3m for r2; r4 keeps up (value = eval time in seconds); r3 is finished.
        { series: s(m.LAST_ANALYSIS_TIMESTAMP, 'r2'), values: `0+60x3 180x${stuckMin + 5}` },
        { series: s(m.CANARY_WEIGHT, 'r2'), values: `25x${stuckMin + 8}` },
        { series: s(m.LAST_ANALYSIS_TIMESTAMP, 'r4'), values: `0+60x${stuckMin + 8}` },
        { series: s(m.CANARY_WEIGHT, 'r4'), values: `25x${stuckMin + 8}` },
        { series: s(m.LAST_ANALYSIS_TIMESTAMP, 'r3'), values: `0x${stuckMin + 8}` },
        { series: s(m.CANARY_WEIGHT, 'r3'), values: `0x${stuckMin + 8}` },
        canaryTraffic(`0+100x${stuckMin + 8}`),
        { series: http(svc, '200', '1.6.0'), values: `0+100x${stuckMin + 8}` },
        ...variantInfo(svc, 'r2', stuckMin + 8),
        ...variantInfo(svc, 'r4', stuckMin + 8, '1.6.0', 60),
      ],
      alert_rule_test: [
        {
          eval_time: `${stuckMin + 3}m`,
          alertname: ALERTS.analysisStuck.alertname,
          exp_alerts: [expected(rules, ALERTS.analysisStuck, { service: svc, rollout: 'r2' })],
        },
        { eval_time: `${stuckMin + 3}m`, alertname: ALERTS.noData.alertname, exp_alerts: [] },
      ],
    },
    {
      name: 'no data fires when the canary has weight but receives no requests',
      interval: '1m',
      input_series: [
        { series: s(m.CANARY_WEIGHT, 'r5'), values: '10x15' },
        { series: s(m.CANARY_WEIGHT, 'r6'), values: '0x15' },
        canaryTraffic('0x15'),
        { series: http(svc, '200', STABLE), values: '0+100x15' },
        ...variantInfo(svc, 'r5', 15),
      ],
      alert_rule_test: [
        { eval_time: '1m', alertname: ALERTS.noData.alertname, exp_alerts: [] },
        {
          eval_time: '10m',
          alertname: ALERTS.noData.alertname,
          exp_alerts: [expected(rules, ALERTS.noData, { service: svc, rollout: 'r5' })],
        },
      ],
    },
  ];
}

/** The promtool test document; `ruleFile` is the rules file's path relative to the test file. */
export function canaryRuleTests(spec: PolicySpec, ruleFile: string): object {
  const rules = canaryRuleGroups(spec).flatMap((g) => g.rules);
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: [...sloTests(spec, rules), canaryTests(spec, rules), ...controllerTests(spec, rules)],
  };
}
