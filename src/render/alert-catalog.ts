import { ALERT_SOURCE_LABEL, CANARY_VALUE, VARIANT_LABEL } from '../metric-names.js';

/** A label value the check cannot know in advance (the rollout id when none is given, the canary's version). */
export const ANY_VALUE = Symbol('any label value');
export type LabelSet = Record<string, string | typeof ANY_VALUE>;

/**
 * Every alert adaptive-canary defines, with the labels it carries. The Prometheus rules are rendered from it
 * and the silence check matches silences against it, so "would this silence mute our alerts?" is answered
 * from the same source that makes the alerts.
 */
export type Component = 'slo' | 'canary' | 'canary-controller';

export interface AlertSpec {
  alertname: string;
  severity: 'page' | 'ticket';
  component: Component;
  /** Labels the alert carries besides alertname/severity/component/source/service. */
  labels: LabelSet;
  /** Carries a `rollout` label taken from the controller's series. */
  perRollout: boolean;
  /** Where it comes from: a Prometheus rule, or posted by the controller to Alertmanager. */
  origin: 'prometheus' | 'controller';
}

export const SLO_NAME = 'availability';

export const ALERTS = {
  servicePage: {
    alertname: 'ServiceErrorBudgetBurn',
    severity: 'page',
    component: 'slo',
    labels: { slo: SLO_NAME },
    perRollout: false,
    origin: 'prometheus',
  },
  serviceTicket: {
    alertname: 'ServiceErrorBudgetBurn',
    severity: 'ticket',
    component: 'slo',
    labels: { slo: SLO_NAME },
    perRollout: false,
    origin: 'prometheus',
  },
  canaryBurn: {
    alertname: 'CanaryErrorBudgetBurn',
    severity: 'page',
    component: 'canary',
    labels: { slo: SLO_NAME, variant: CANARY_VALUE, [VARIANT_LABEL]: ANY_VALUE },
    perRollout: true,
    origin: 'prometheus',
  },
  rolledBack: {
    alertname: 'CanaryRolledBack',
    severity: 'ticket',
    component: 'canary-controller',
    labels: {},
    perRollout: true,
    origin: 'prometheus',
  },
  analysisStuck: {
    alertname: 'CanaryAnalysisStuck',
    severity: 'ticket',
    component: 'canary-controller',
    labels: {},
    perRollout: true,
    origin: 'prometheus',
  },
  noData: {
    alertname: 'CanaryNoData',
    severity: 'ticket',
    component: 'canary-controller',
    labels: {},
    perRollout: true,
    origin: 'prometheus',
  },
  rollbackInProgress: {
    alertname: 'CanaryRollbackInProgress',
    severity: 'page',
    component: 'canary-controller',
    labels: {},
    perRollout: true,
    origin: 'controller',
  },
} as const satisfies Record<string, AlertSpec>;

/** Alerts muted by Alertmanager while a rollback is in progress (noise about a canary that is going away). */
export const INHIBITED_DURING_ROLLBACK: readonly string[] = [
  ALERTS.canaryBurn.alertname,
  ALERTS.analysisStuck.alertname,
  ALERTS.noData.alertname,
];

/** The static labels a rule or posted alert sets (Prometheus adds `alertname` itself). */
export function ruleLabels(spec: AlertSpec): Record<string, string> {
  return { severity: spec.severity, component: spec.component, ...ALERT_SOURCE_LABEL };
}

/**
 * The label sets our alerts for `service` carry when they reach Alertmanager (before external labels).
 * Without a rollout id, `rollout` is ANY_VALUE: a silence on some rollout may mute it.
 */
export function canaryAlertLabelSets(service: string, rollout?: string): LabelSet[] {
  return Object.values(ALERTS).map((spec: AlertSpec) => ({
    alertname: spec.alertname,
    service,
    ...spec.labels,
    ...ruleLabels(spec),
    ...(spec.perRollout ? { rollout: rollout ?? ANY_VALUE } : {}),
  }));
}
