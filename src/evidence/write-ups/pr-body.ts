import { relative, dirname, join } from 'node:path';
import { EVIDENCE_FILES } from '../paths.js';
import type { WriteUpContext } from './write-ups.js';
import { finalDecision, num, reasonItem, rollbackVerdict, seconds, timelineTable } from './format.js';

/** `.prbodies/<rollout-id>.md`: the design + evidence review write-up, with links relative to the PR body. */
export function renderPrBody(ctx: WriteUpContext, incidentWritten: boolean): string {
  const { meta, records, deliveries, finish } = ctx;
  const link = (file: string): string => relative(dirname(ctx.prBody), join(ctx.dir, file)).split('\\').join('/');
  const last = finalDecision(records);
  const badge =
    meta.outcome === 'promoted' ? 'promoted' : meta.outcome === 'rolled-back' ? 'rolled back' : 'in progress';
  const failed = deliveries.filter((d) => d.outcome !== 'delivered').length;
  const criteria = finish.criteria?.length
    ? finish.criteria.map((c) => `- ${c}`)
    : ['- (criteria not given to the controller; see the policy `canary.yaml` and ADR 0002)'];
  return [
    `## Canary release: ${meta.service} \`${meta.versions.canary ?? meta.rolloutId}\` — ${badge}`,
    '',
    '### What shipped',
    '',
    `- canary \`${meta.versions.canary ?? '?'}\` replacing stable \`${meta.versions.stable ?? '?'}` +
      `\`, rollout \`${meta.rolloutId}\``,
    `- policy digest: ${meta.policyDigest ? `\`${meta.policyDigest}\`` : '—'}`,
    `- started ${meta.startedAt}, finished ${meta.finishedAt ?? '—'}`,
    '',
    '### Promotion criteria',
    '',
    ...criteria,
    '',
    '### Decision',
    '',
    last
      ? `**${last.action}** at step ${last.step} (weight ${num(last.weight)}` +
        `%), composite score ${num(last.score)}, decided by \`${last.by}\`` +
        `${last.rule ? ` (rule \`${last.rule}\`)` : ''}` +
        `.`
      : 'No decision recorded.',
    `Time to decide: ${seconds(meta.timeToDecideSeconds)}.` +
      (meta.outcome === 'rolled-back' ? ` Rollback duration: ${rollbackVerdict(meta.rollbackDurationSeconds)}.` : ''),
    '',
    ...(last?.reasons.map(reasonItem) ?? []),
    '',
    '<details><summary>Timeline</summary>',
    '',
    ...timelineTable(records, meta.startedAt),
    '',
    '</details>',
    '',
    '### Evidence',
    '',
    `- [decisions.jsonl](${link(EVIDENCE_FILES.decisions)}) — ${records.length}` +
      ` hash-chained records, head \`${meta.head?.hash ?? '—'}\``,
    `- [webhooks.jsonl](${link(EVIDENCE_FILES.webhooks)}) — ${deliveries.length} deliveries, ${failed} not delivered`,
    `- [summary.md](${link(EVIDENCE_FILES.summary)})`,
    ...(incidentWritten
      ? [`- [incident.md](${link(EVIDENCE_FILES.incident)}) — post-incident review to complete`]
      : []),
    ...(finish.links ?? []).map((l) => `- [${l.label}](${l.href})`),
    '',
    `Check integrity: \`adaptive-canary evidence verify ${meta.rolloutId}\``,
    '',
  ].join('\n');
}
