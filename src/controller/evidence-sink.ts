import type { EvidenceLog, OpenEvidenceOptions } from '../evidence/index.js';
import type { PolicySpec } from '../schema/policy.js';
import type { RolloutDecision } from '../engine/rollout-machine.js';
import type { DecisionRecordInput, EvidenceAnchor, EvidenceNote, EvidenceSink } from './ports.js';
import { decisionPoint } from './snapshot.js';
import type { RolloutSnapshot } from './view.js';

/** Promotion criteria in words, for the PR body (what the Release Captain signs off). */
export function criteriaOf(policy: PolicySpec): string[] {
  const p = policy.promotion;
  return [
    `judge: ${policy.judge} (α = ${policy.alpha}, checked every ${policy.interval / 1000}s)`,
    ...policy.metrics.map(
      (m) =>
        `${m.name}: canary no worse than ${m.tolerance}× baseline` +
        `${m.critical ? ' (critical: a regression rolls back at once)' : ''}`,
    ),
    `composite score ≥ ${p.minScore}`,
    `synthetic success ≥ ${p.synthetic.minScore}; below it for ${p.synthetic.consecutive}` +
      ` consecutive intervals rolls back`,
    `canary error-budget burn ≤ ${p.errorBudget.maxBurn * 100}% of the ` +
      `${Math.round(p.errorBudget.period / 86_400_000)}` +
      `-day budget at SLO ${p.errorBudget.slo}`,
    `steps: ${policy.steps.map((s) => `${s.weight}% for ${s.bake / 1000}s`).join(' → ')}`,
  ];
}

/** Binds the controller's EvidenceSink port to the hash-chained evidence log in src/evidence. */
export class EvidenceLogSink implements EvidenceSink {
  constructor(
    readonly log: EvidenceLog,
    private readonly policy: PolicySpec,
  ) {}

  /** The chain head after the last record (also one written by an earlier process), so webhooks can anchor it. */
  get head(): { seq: number; hash: string } | undefined {
    const h = this.log.head;
    return h.seq > 0 ? { seq: h.seq, hash: h.hash } : undefined;
  }

  /** Opens (or resumes) `.evidence/<service>/<rollout>/`; throws EvidenceUnwritableError when it cannot write. */
  static async open(options: OpenEvidenceOptions, policy: PolicySpec): Promise<EvidenceLogSink> {
    const { openEvidence } = await import('../evidence/index.js');
    return new EvidenceLogSink(openEvidence(options), policy);
  }

  get dir(): string {
    return this.log.dir;
  }

  record(input: DecisionRecordInput): EvidenceAnchor {
    const p = decisionPoint(input.decision);
    const a = input.assessment;
    const r = this.log.append({
      ...p,
      ...(a ? { verdict: a.verdict, ...(a.rule ? { rule: a.rule } : {}) } : {}),
      budgetBurn: a?.reasons.find((r) => r.signal === 'error-budget')?.value ?? null,
      inputs: input.inputs ?? {},
    });
    return { seq: r.seq, hash: r.hash };
  }

  anchorOf(decision: RolloutDecision): EvidenceAnchor | undefined {
    const { at, action } = decisionPoint(decision);
    const r = this.log.records.findLast((x) => x.kind === 'decision' && x.at === at && x.action === action);
    return r && { seq: r.seq, hash: r.hash };
  }

  note(input: EvidenceNote): void {
    this.log.append({ kind: 'note', ...input });
  }

  finish(snapshot: RolloutSnapshot, rollbackDurationSeconds: number | null): void {
    if (snapshot.phase !== 'promoted' && snapshot.phase !== 'rolled-back') return;
    this.log.finish({
      outcome: snapshot.phase,
      rollbackDurationSeconds,
      timeToDecideSeconds: snapshot.timeToDecideSeconds,
      budgetBurn: snapshot.intervals.at(-1)?.budgetBurn ?? null,
      snapshot,
      criteria: criteriaOf(this.policy),
    });
  }

  close(): void {
    this.log.close();
  }
}
