import type { WriteUpContext } from './write-ups.js';
import {
  cell,
  intervalsTable,
  finalDecision,
  num,
  reasonItem,
  rollbackVerdict,
  seconds,
  timelineTable,
} from './format.js';

/** summary.md: what happened in one rollout, for people, from the chain. */
export function renderSummary(
  ctx: Pick<WriteUpContext, 'meta' | 'records' | 'deliveries'> & { finish?: WriteUpContext['finish'] },
): string {
  const { meta, records, deliveries } = ctx;
  const last = finalDecision(records);
  const failed = deliveries.filter((d) => d.outcome !== 'delivered');
  const lines = [
    `# ${meta.service} rollout ${meta.rolloutId}: ${meta.outcome ?? 'in progress'}`,
    '',
    '| | |',
    '|---|---|',
    `| service | ${meta.service} |`,
    `| versions | stable \`${meta.versions.stable ?? '?'}\` → canary \`${meta.versions.canary ?? '?'}\` |`,
    `| started | ${meta.startedAt} |`,
    `| finished | ${meta.finishedAt ?? '—'} |`,
    `| outcome | ${meta.outcome ?? '—'}${last?.rule ? ` (rule: ${cell(last.rule)})` : ''} |`,
    `| time to decide | ${seconds(meta.timeToDecideSeconds)} |`,
    `| rollback duration | ${meta.outcome === 'rolled-back' ? rollbackVerdict(meta.rollbackDurationSeconds) : '—'} |`,
    `| policy digest | ${meta.policyDigest ? `\`${meta.policyDigest}\`` : '—'} |`,
    `| evidence | ${records.length} hash-chained records, head \`${meta.head?.hash.slice(0, 16) ?? '—'}…\` |`,
    `| webhooks | ${deliveries.length} deliveries, ${failed.length} not delivered |`,
    '',
    '## Decision',
    '',
    last
      ? `**${last.action}** at step ${last.step} (weight ${num(last.weight)}` +
        `%), score ${num(last.score)}, by ${last.by}.`
      : 'No decision recorded.',
    '',
    ...(last?.reasons.map(reasonItem) ?? []),
    '',
    ...(ctx.finish?.snapshot?.intervals.length
      ? ['## Signals per interval', '', ...intervalsTable(ctx.finish.snapshot.intervals), '']
      : []),
    '## Timeline',
    '',
    ...timelineTable(records, meta.startedAt),
    '',
    `Verify: \`adaptive-canary evidence verify ${meta.rolloutId}\``,
    '',
  ];
  return lines.join('\n');
}
