import { ALERTS, canaryAlertLabelSets, ruleLabels, type LabelSet } from '../render/alert-catalog.js';
import type { MaintenanceWindow } from '../schema/observability.js';
import { joinUrl, requestJson, type FetchLike } from './http.js';
import { spanInMaintenanceWindow } from './maintenance-window.js';
import { silenceMatchesLabels, type SilenceMatcher } from './silence-matchers.js';

/** A silence as `GET /api/v2/silences` returns it (Alertmanager 0.25, `gettableSilence`). */
export interface Silence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  updatedAt?: string;
  createdBy: string;
  comment: string;
}

/** A silence that would mute some of our alerts, and which. */
export interface MutingSilence extends Silence {
  /** Alert names it would mute. */
  mutes: string[];
  /** Entirely inside the policy's planned maintenance window. */
  planned: boolean;
}

export interface SilenceCheckInput {
  alertmanagerUrl: string;
  service: string;
  /** The rollout id; without it a silence on any rollout counts. */
  rollout?: string;
  /** The policy's planned maintenance window (spec.alerting.maintenanceWindow). */
  window?: MaintenanceWindow;
  now: Date;
  fetch?: FetchLike;
  timeoutMs?: number;
}

export interface SilenceCheck {
  /** True when Alertmanager answered and no active silence outside the planned window mutes our alerts. */
  ok: boolean;
  status: 'pass' | 'blocked' | 'unknown';
  /** Active silences muting our alerts outside the planned window: hold the start (or warn, per policy). */
  blocking: MutingSilence[];
  /** Active silences muting our alerts inside the planned window: expected, recorded in the evidence. */
  planned: MutingSilence[];
  /** One line for the log, the evidence and the preflight check. */
  reason: string;
}

/** Which of our alerts (by name) a silence would mute. */
export function mutedAlerts(silence: Pick<Silence, 'matchers'>, labelSets: LabelSet[]): string[] {
  const names = labelSets.filter((l) => silenceMatchesLabels(silence.matchers, l)).map((l) => String(l.alertname));
  return [...new Set(names)];
}

/** Pure part of the check, for callers that already hold the silences. */
export function classifySilences(
  silences: Silence[],
  input: Omit<SilenceCheckInput, 'alertmanagerUrl' | 'fetch'>,
): Omit<SilenceCheck, 'ok' | 'status' | 'reason'> {
  const labelSets = canaryAlertLabelSets(input.service, input.rollout);
  const muting: MutingSilence[] = [];
  for (const s of silences) {
    const ends = new Date(s.endsAt);
    if (s.status.state !== 'active' || ends <= input.now) continue;
    const mutes = mutedAlerts(s, labelSets);
    if (mutes.length === 0) continue;
    const planned = input.window !== undefined && spanInMaintenanceWindow(input.window, new Date(s.startsAt), ends);
    muting.push({ ...s, mutes, planned });
  }
  return { blocking: muting.filter((s) => !s.planned), planned: muting.filter((s) => s.planned) };
}

const describe = (s: MutingSilence) =>
  `${s.id} by ${s.createdBy} until ${s.endsAt} ("${s.comment}") mutes ${s.mutes.join(', ')}`;

/**
 * The playbook's "Alertmanager silences match the planned maintenance window": lists silences (API v2) and
 * reports the active ones that would mute this service's canary alerts and fall outside the planned window.
 * Never throws; an unreachable Alertmanager gives status `unknown`.
 *
 * @example
 * const check = await checkSilences({ alertmanagerUrl: 'http://127.0.0.1:9093', service: 'maestro-api',
 *   window: policy.spec.alerting.maintenanceWindow, now: new Date() });
 * if (check.status === 'blocked' && policy.spec.alerting.silenceCheck === 'hold') holdStart(check.reason);
 */
export async function checkSilences(input: SilenceCheckInput): Promise<SilenceCheck> {
  const res = await requestJson<Silence[]>({
    url: joinUrl(input.alertmanagerUrl, '/api/v2/silences'),
    fetch: input.fetch,
    timeoutMs: input.timeoutMs,
  });
  if (!res.ok)
    return { ok: false, status: 'unknown', blocking: [], planned: [], reason: `cannot list silences: ${res.error}` };
  const { blocking, planned } = classifySilences(res.body, input);
  if (blocking.length > 0) {
    const where = input.window ? 'outside the planned maintenance window' : 'and no maintenance window is planned';
    return {
      ok: false,
      status: 'blocked',
      blocking,
      planned,
      reason:
        `${blocking.length} active silence(s) ${where} would mute ${input.service}` +
        ` canary alerts: ${blocking.map(describe).join('; ')}`,
    };
  }
  const note = planned.length > 0 ? `; ${planned.length} silence(s) inside the planned window` : '';
  return {
    ok: true,
    status: 'pass',
    blocking,
    planned,
    reason: `no active silence mutes ${input.service} canary alerts outside the planned window${note}`,
  };
}

export interface RollbackAlertInput {
  alertmanagerUrl: string;
  service: string;
  rollout: string;
  /** The verdict's reasons, one per line in the description. */
  reasons: string[];
  now: Date;
  /** When the alert resolves by itself if never resolved (default now + 15 minutes); pass `now` to resolve. */
  endsAt?: Date;
  /** Link back to the controller (dashboard or evidence). */
  generatorURL?: string;
  fetch?: FetchLike;
  timeoutMs?: number;
}

/** The alert posted by postRollbackAlert, for tests and the evidence. */
export function rollbackAlert(input: Omit<RollbackAlertInput, 'alertmanagerUrl' | 'fetch' | 'timeoutMs'>) {
  const spec = ALERTS.rollbackInProgress;
  return {
    labels: { alertname: spec.alertname, service: input.service, rollout: input.rollout, ...ruleLabels(spec) },
    annotations: {
      summary: `${input.service} rollout ${input.rollout} is being rolled back`,
      description: input.reasons.join('\n'),
    },
    startsAt: input.now.toISOString(),
    endsAt: (input.endsAt ?? new Date(input.now.getTime() + 15 * 60_000)).toISOString(),
    ...(input.generatorURL ? { generatorURL: input.generatorURL } : {}),
  };
}

/**
 * Tells Alertmanager a rollback is in progress (`POST /api/v2/alerts`): routed to Release Captain and SRE
 * Oncall, and it inhibits canary noise for the service. Post again with `endsAt: now` when the rollback is
 * done. Never throws: a failure is returned for the evidence and must not delay the rollback.
 */
export async function postRollbackAlert(
  input: RollbackAlertInput,
): Promise<{ ok: true } | { ok: false; error: string }> {
  const res = await requestJson<unknown>({
    url: joinUrl(input.alertmanagerUrl, '/api/v2/alerts'),
    method: 'POST',
    body: [rollbackAlert(input)],
    fetch: input.fetch,
    timeoutMs: input.timeoutMs,
  });
  return res.ok ? { ok: true } : { ok: false, error: res.error };
}
