import type { IntervalPoint } from '../../schema/rollout-view.js';
import { headline, reasonLong } from '../../engine/reason-text.js';
import type { DecisionRecord, EvidenceRecord } from '../../schema/evidence.js';
import type { Reason } from '../../schema/reason.js';

/** Small Markdown helpers shared by summary.md, the PR body and incident.md. */
export const ROLLBACK_TARGET_SECONDS = 300;

export function num(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(digits)));
}

export function seconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value < 120) return `${num(value)} s`;
  return `${num(value / 60)} min`;
}

/** Escapes table-breaking characters in free text. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A reason as a Markdown list item, in its long form (src/engine/reason-text.ts). */
export function reasonItem(r: Reason): string {
  return `- ${reasonLong(r, (s) => `**${cell(s)}**`)}`;
}

export function decisions(records: readonly EvidenceRecord[]): DecisionRecord[] {
  return records.filter((r): r is DecisionRecord => r.kind === 'decision');
}

/** The decision that ended the rollout (the last promote or rollback), else the last decision. */
export function finalDecision(records: readonly EvidenceRecord[]): DecisionRecord | undefined {
  const list = decisions(records);
  return list.filter((d) => d.action === 'promote' || d.action === 'rollback').at(-1) ?? list.at(-1);
}

export function timelineTable(records: readonly EvidenceRecord[], startedAt: string): string[] {
  const t0 = Date.parse(startedAt);
  const rows = records.map((r) => {
    const t = `+${num((Date.parse(r.at) - t0) / 1000)} s`;
    if (r.kind === 'decision') {
      const why = headline(r.reasons) ?? '';
      return (
        `| ${r.seq} | ${r.at} | ${t} | ${r.action} | ${r.step} | ${num(r.weight)}` +
        `% | ${num(r.score)} | ${cell(r.by)} | ${cell(why)} |`
      );
    }
    if (r.kind === 'finish')
      return (
        `| ${r.seq} | ${r.at} | ${t} | finish: ${r.outcome} | | | | | rollback ${seconds(r.rollbackDurationSeconds)}` +
        ` |`
      );
    if (r.kind === 'note')
      return `| ${r.seq} | ${r.at} | ${t} | note: ${cell(r.topic)} (${r.level}) | | | | | ${cell(r.message)} |`;
    return (
      `| ${r.seq} | ${r.at} | ${t} | mark${r.falseAbort ? ' false-abort' : ''}${r.resolved ? ' resolved' : ''}` +
      ` | | | | ${cell(r.by ?? '')} | ${cell(r.why)} |`
    );
  });
  return [
    '| # | at | since start | action | step | weight | score | by | why |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

export function rollbackVerdict(duration: number | null | undefined): string {
  if (duration === null || duration === undefined) return 'not measured';
  return duration <= ROLLBACK_TARGET_SECONDS
    ? `${seconds(duration)} — within the 5-minute target`
    : `${seconds(duration)} — MISSED the 5-minute target`;
}

/** The controller's per-interval signals (from its final snapshot), the last `limit` intervals. */
export function intervalsTable(points: readonly IntervalPoint[] | undefined, limit = 30): string[] {
  if (!points?.length) return [];
  const pct = (v: number | null): string => (v === null ? '—' : `${num(v * 100)}%`);
  const rows = points
    .slice(-limit)
    .map(
      (p) =>
        `| +${num(p.t)} s | ${p.step} | ${num(p.weight)}% | ${num(p.score)} | ${p.verdict}` +
        ` | ${p.canaryErrors}/${p.canaryRequests} | ${p.baselineErrors}/${p.baselineRequests}` +
        ` | ${pct(p.syntheticAvailability)} | ${pct(p.budgetBurn)} |`,
    );
  return [
    `| t | step | weight | score | verdict | canary errors | baseline errors | synthetic | budget burn |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    ...(points.length > limit ? [`(last ${limit} of ${points.length} intervals)`] : []),
  ];
}
