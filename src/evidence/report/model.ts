import type { ChainProblem } from '../chain.js';
import type { Distribution } from './stats.js';

/** What `adaptive-canary report` computes; rendered as Markdown, HTML or JSON. */
export interface ReportWindow {
  from: string;
  to: string;
  root: string;
  generatedAt: string;
}

export interface RolloutRow {
  service: string;
  rolloutId: string;
  dir: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: 'promoted' | 'rolled-back' | null;
  decidedBy: string | null;
  rule: string | null;
  /** Failing reasons of the final decision (all reasons when none failed), one line each. */
  reasons: string[];
  rollbackDurationSeconds: number | null;
  timeToDecideSeconds: number | null;
  falseAbort: string | null;
  budgetBurn: number | null;
  integrityOk: boolean;
}

export interface EvidenceReview extends ReportWindow {
  kind: 'evidence-review';
  totals: { rollouts: number; promoted: number; rolledBack: number; inFlight: number };
  rollbackTargetSeconds: number;
  rollbackDuration: Distribution & { withinTarget: number };
  timeToDecide: Distribution;
  falseAbort: { rollbacks: number; marked: number; rate: number | null };
  integrity: { verified: number; intact: number; broken: { rollout: string; firstBad: ChainProblem }[] };
  webhooks: {
    deliveries: number;
    delivered: number;
    failed: number;
    abandoned: number;
    failures: { rollout: string; deliveryId: string; event: string; url: string; last: string; attempts: number }[];
  };
  rollouts: RolloutRow[];
}

export interface Standup extends ReportWindow {
  kind: 'standup';
  /** Playbook: error budget burn must stay under 10% for a release to be Ready. */
  budgetLimit: number;
  services: {
    service: string;
    rollouts: number;
    promoted: number;
    rolledBack: number;
    budgetBurn: number | null;
    overLimit: boolean;
  }[];
  inFlight: {
    service: string;
    rolloutId: string;
    startedAt: string;
    step: number | null;
    weight: number | null;
    score: number | null;
    lastAction: string | null;
  }[];
  openIncidents: {
    service: string;
    rolloutId: string;
    finishedAt: string | null;
    incident: string;
    reasons: string[];
  }[];
}

export type Report = EvidenceReview | Standup;
