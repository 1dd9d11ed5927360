import { cell, num, seconds } from '../write-ups/format.js';
import type { EvidenceReview, Report, Standup } from './model.js';

/** The report as Markdown, for a PR or a chat post. */
export function renderMarkdown(report: Report): string {
  return (report.kind === 'evidence-review' ? reviewMarkdown(report) : standupMarkdown(report)).join('\n');
}

export function percent(value: number | null): string {
  return value === null ? '—' : `${num(value * 100, 3)}%`;
}

function reviewMarkdown(r: EvidenceReview): string[] {
  const d = r.rollbackDuration;
  const target = r.rollbackTargetSeconds;
  const medianOk = d.median === null ? 'no rollbacks' : d.median <= target ? 'within target' : 'OVER target';
  return [
    `# Evidence review ${r.from.slice(0, 10)} → ${r.to.slice(0, 10)}`,
    '',
    `From \`${r.root}\`, generated ${r.generatedAt}.`,
    '',
    '| | |',
    '|---|---|',
    `| rollouts | ${r.totals.rollouts} (${r.totals.promoted} promoted, ${r.totals.rolledBack}` +
      ` rolled back, ${r.totals.inFlight} in flight) |`,
    `| rollback duration | median ${seconds(d.median)}, p90 ${seconds(d.p90)}` +
      `, max ${seconds(d.max)} vs target ${seconds(target)} — ${medianOk}; ${d.withinTarget}` +
      `/${d.count} within target |`,
    `| time to decide | median ${seconds(r.timeToDecide.median)}, p90 ${seconds(r.timeToDecide.p90)}` +
      ` (${r.timeToDecide.count} decided) |`,
    `| false-abort rate | ${percent(r.falseAbort.rate)} (${r.falseAbort.marked}` +
      ` of ${r.falseAbort.rollbacks} rollbacks marked false) |`,
    `| evidence integrity | ${r.integrity.intact}/${r.integrity.verified} ` +
      `chains intact${r.integrity.broken.length ? ' — **BROKEN chains below**' : ''}` +
      ` |`,
    `| webhook deliveries | ${r.webhooks.delivered}/${r.webhooks.deliveries}` +
      ` delivered, ${r.webhooks.failed} failed, ${r.webhooks.abandoned} ` +
      `abandoned |`,
    '',
    '## Rollouts',
    '',
    '| started | service | rollout | outcome | decided by | reasons | time ' +
      'to decide | rollback | false abort | chain |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.rollouts.map(
      (x) =>
        `| ${x.startedAt} | ${x.service} | [${x.rolloutId}](${x.dir}` +
        `/summary.md) | ${x.outcome ?? 'in flight'} | ${cell(x.decidedBy ?? '—')}` +
        `${x.rule ? ` (${cell(x.rule)})` : ''}` +
        ` | ${cell(x.reasons.join('; ') || '—')} | ${seconds(x.timeToDecideSeconds)}` +
        ` | ${seconds(x.rollbackDurationSeconds)} | ${cell(x.falseAbort ?? '')}` +
        ` | ${x.integrityOk ? 'ok' : '**broken**'} |`,
    ),
    '',
    ...(r.integrity.broken.length
      ? [
          '## Broken evidence chains',
          '',
          ...r.integrity.broken.map(
            (b) => `- \`${b.rollout}\`: record ${b.firstBad.seq} (line ${b.firstBad.line}): ${b.firstBad.reason}`,
          ),
          '',
        ]
      : []),
    ...(r.webhooks.failures.length
      ? [
          '## Webhook delivery failures',
          '',
          '| rollout | event | receiver | attempts | last | delivery id |',
          '|---|---|---|---|---|---|',
          ...r.webhooks.failures.map(
            (f) =>
              `| ${f.rollout} | ${f.event} | ${cell(f.url)} | ${f.attempts} | ${cell(f.last)} | \`${f.deliveryId}\` |`,
          ),
          '',
        ]
      : []),
  ];
}

function standupMarkdown(r: Standup): string[] {
  return [
    `# Release standup ${r.to.slice(0, 10)} (since ${r.from.slice(0, 10)})`,
    '',
    '## Error budget per service (burned by releases)',
    '',
    '| service | rollouts | promoted | rolled back | budget burned | status |',
    '|---|---|---|---|---|---|',
    ...r.services.map(
      (s) =>
        `| ${s.service} | ${s.rollouts} | ${s.promoted} | ${s.rolledBack} | ${percent(s.budgetBurn)}` +
        ' | ' +
        (s.overLimit ? `**over the ${percent(r.budgetLimit)} limit**` : s.budgetBurn === null ? 'no data' : 'ok') +
        ` |`,
    ),
    '',
    '## Releases in flight',
    '',
    ...(r.inFlight.length
      ? [
          '| service | rollout | started | step | weight | score | last action |',
          '|---|---|---|---|---|---|---|',
          ...r.inFlight.map(
            (f) =>
              `| ${f.service} | ${f.rolloutId} | ${f.startedAt} | ${f.step ?? '—'} | ` +
              `${f.weight === null ? '—' : `${num(f.weight)}%`}` +
              ` | ${num(f.score)} | ${f.lastAction ?? '—'} |`,
          ),
        ]
      : ['None.']),
    '',
    '## Open incidents',
    '',
    ...(r.openIncidents.length
      ? r.openIncidents.map(
          (i) =>
            `- **${i.service}/${i.rolloutId}** rolled back ${i.finishedAt ?? ''}: ` +
            `${cell(i.reasons.join('; ') || 'no reasons recorded')}` +
            ` — review: [${i.incident}](${i.incident})`,
        )
      : ['None.']),
    '',
  ];
}
