import { decisiveReasons, reasonLine } from '../../engine/reason-text.js';
import { join, relative } from 'node:path';
import type { DecisionRecord, EvidenceRecord } from '../../schema/evidence.js';
import { EVIDENCE_FILES } from '../paths.js';
import { listRollouts, readRollout, type RolloutEvidence } from '../read.js';
import { finalDecision, ROLLBACK_TARGET_SECONDS } from '../write-ups/format.js';
import type { EvidenceReview, ReportWindow, RolloutRow, Standup } from './model.js';
import { distribution, rate } from './stats.js';

export interface ReportInput {
  root: string;
  /** Window length in ms, ending at `now`. */
  sinceMs: number;
  now: number;
  /** Paths in the report are shown relative to this directory. */
  cwd: string;
}

export const BUDGET_LIMIT = 0.1;

/** Rollouts that started or finished inside the window, plus every rollout still in flight. */
export function collectRollouts(input: ReportInput): RolloutEvidence[] {
  const from = input.now - input.sinceMs;
  return listRollouts(input.root)
    .map((d) => readRollout(d))
    .filter((r) => {
      const started = Date.parse(r.meta.startedAt);
      const finished = r.meta.finishedAt ? Date.parse(r.meta.finishedAt) : undefined;
      return finished === undefined || finished >= from || (started >= from && started <= input.now);
    });
}

function window(input: ReportInput): ReportWindow {
  return {
    from: new Date(input.now - input.sinceMs).toISOString(),
    to: new Date(input.now).toISOString(),
    root: relative(input.cwd, input.root) || '.',
    generatedAt: new Date(input.now).toISOString(),
  };
}

export function buildEvidenceReview(input: ReportInput, rollouts = collectRollouts(input)): EvidenceReview {
  const rows = rollouts.map((r) => toRow(r, input.cwd));
  const rollbacks = rows.filter((r) => r.outcome === 'rolled-back');
  const durations = rollbacks.map((r) => r.rollbackDurationSeconds).filter((d): d is number => d !== null);
  const deliveries = rollouts.flatMap((r) =>
    r.deliveries.map((d) => ({ d, rollout: `${r.meta.service}/${r.meta.rolloutId}` })),
  );
  const notDelivered = deliveries.filter(({ d }) => d.outcome !== 'delivered');
  return {
    kind: 'evidence-review',
    ...window(input),
    totals: {
      rollouts: rows.length,
      promoted: rows.filter((r) => r.outcome === 'promoted').length,
      rolledBack: rollbacks.length,
      inFlight: rows.filter((r) => r.outcome === null).length,
    },
    rollbackTargetSeconds: ROLLBACK_TARGET_SECONDS,
    rollbackDuration: {
      ...distribution(durations),
      withinTarget: durations.filter((d) => d <= ROLLBACK_TARGET_SECONDS).length,
    },
    timeToDecide: distribution(
      rows
        .filter((r) => r.outcome !== null)
        .map((r) => r.timeToDecideSeconds)
        .filter((t): t is number => t !== null),
    ),
    falseAbort: {
      rollbacks: rollbacks.length,
      marked: rollbacks.filter((r) => r.falseAbort !== null).length,
      rate: rate(rollbacks.filter((r) => r.falseAbort !== null).length, rollbacks.length),
    },
    integrity: {
      verified: rollouts.length,
      intact: rollouts.filter((r) => r.integrity.ok).length,
      broken: rollouts.flatMap((r) =>
        r.integrity.firstBad
          ? [{ rollout: `${r.meta.service}/${r.meta.rolloutId}`, firstBad: r.integrity.firstBad }]
          : [],
      ),
    },
    webhooks: {
      deliveries: deliveries.length,
      delivered: deliveries.length - notDelivered.length,
      failed: notDelivered.filter(({ d }) => d.outcome === 'failed').length,
      abandoned: notDelivered.filter(({ d }) => d.outcome === 'abandoned').length,
      failures: notDelivered.map(({ d, rollout }) => {
        const last = d.attempts.at(-1);
        return {
          rollout,
          deliveryId: d.deliveryId,
          event: d.event,
          url: d.url,
          last: last?.error ?? (last?.status !== undefined ? `HTTP ${last.status}` : d.outcome),
          attempts: d.attempts.length,
        };
      }),
    },
    rollouts: rows,
  };
}

export function buildStandup(input: ReportInput, rollouts = collectRollouts(input)): Standup {
  const rows = rollouts.map((r) => toRow(r, input.cwd));
  const services = [...new Set(rows.map((r) => r.service))].sort();
  return {
    kind: 'standup',
    ...window(input),
    budgetLimit: BUDGET_LIMIT,
    services: services.map((service) => {
      const mine = rows.filter((r) => r.service === service);
      const burns = mine.map((r) => r.budgetBurn).filter((b): b is number => b !== null);
      // Each rollout's burn is the canary's own share of the period's budget, so the releases' total is the sum.
      const budgetBurn = burns.length ? burns.reduce((a, b) => a + b, 0) : null;
      return {
        service,
        rollouts: mine.length,
        promoted: mine.filter((r) => r.outcome === 'promoted').length,
        rolledBack: mine.filter((r) => r.outcome === 'rolled-back').length,
        budgetBurn,
        overLimit: budgetBurn !== null && budgetBurn > BUDGET_LIMIT,
      };
    }),
    inFlight: rollouts
      .filter((r) => r.meta.outcome === null)
      .map((r) => {
        const last = decisionsOf(r.records).at(-1);
        return {
          service: r.meta.service,
          rolloutId: r.meta.rolloutId,
          startedAt: r.meta.startedAt,
          step: last?.step ?? null,
          weight: last?.weight ?? null,
          score: last?.score ?? null,
          lastAction: last?.action ?? null,
        };
      }),
    openIncidents: rollouts
      .filter((r) => r.incident.present && !r.incident.resolved)
      .map((r) => ({
        service: r.meta.service,
        rolloutId: r.meta.rolloutId,
        finishedAt: r.meta.finishedAt,
        incident: relative(input.cwd, join(r.dir, EVIDENCE_FILES.incident)),
        reasons: failing(finalDecision(r.records)),
      })),
  };
}

function decisionsOf(records: readonly EvidenceRecord[]): DecisionRecord[] {
  return records.filter((r): r is DecisionRecord => r.kind === 'decision');
}

/** The final decision's failing reasons (all of them when none failed), one line each. */
function failing(d: DecisionRecord | undefined): string[] {
  return d ? decisiveReasons(d.reasons).map(reasonLine) : [];
}

function toRow(r: RolloutEvidence, cwd: string): RolloutRow {
  const final = finalDecision(r.records);
  const decisions = decisionsOf(r.records);
  const finish = r.records.find((x) => x.kind === 'finish');
  const burns = [
    finish?.kind === 'finish' ? finish.budgetBurn : undefined,
    ...decisions.map((d) => d.budgetBurn).reverse(),
  ];
  const recordedTtd = r.meta.timeToDecideSeconds;
  const derivedTtd = final && r.meta.outcome ? (Date.parse(final.at) - Date.parse(r.meta.startedAt)) / 1000 : null;
  return {
    service: r.meta.service,
    rolloutId: r.meta.rolloutId,
    dir: relative(cwd, r.dir),
    startedAt: r.meta.startedAt,
    finishedAt: r.meta.finishedAt,
    outcome: r.meta.outcome,
    decidedBy: final?.by ?? null,
    rule: final?.rule ?? null,
    reasons: failing(final),
    rollbackDurationSeconds: r.meta.outcome === 'rolled-back' ? r.meta.rollbackDurationSeconds : null,
    timeToDecideSeconds: recordedTtd ?? derivedTtd,
    falseAbort: r.meta.falseAbort?.why ?? null,
    budgetBurn: burns.find((b): b is number => typeof b === 'number') ?? null,
    integrityOk: r.integrity.ok,
  };
}
