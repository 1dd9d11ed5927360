import type { WriteUpContext } from './write-ups.js';
import {
  decisions,
  intervalsTable,
  finalDecision,
  num,
  reasonItem,
  rollbackVerdict,
  seconds,
  timelineTable,
} from './format.js';

/** The runbook's review questions: left blank on purpose, people answer them. */
const QUESTIONS = [
  'What was the customer impact (requests, users, duration)?',
  'What changed in the canary, and why did it regress (root cause)?',
  'Was the rollback right? If the canary was in fact healthy, mark it: ' +
    '`adaptive-canary evidence mark ROLLOUT --false-abort --why "..."`.',
  'Did detection and rollback meet their targets? What would make them faster?',
  'Which alerts, dashboards or probes helped, and which were missing or noisy?',
  'Follow-up actions (owner, due date):',
];

/** incident.md: the post-incident review, pre-filled from the evidence. */
export function renderIncident(ctx: WriteUpContext): string {
  const { meta, records } = ctx;
  const last = finalDecision(records);
  const failing = decisions(records).flatMap((d) =>
    d.reasons.filter((r) => r.verdict === 'fail').map((r) => ({ d, r })),
  );
  const firstFail = failing[0];
  return [
    `# Post-incident review: ${meta.service} rollout ${meta.rolloutId}`,
    '',
    'Status: open',
    '',
    `<!-- When the review is done, change the line above to "Status: ` +
      `resolved", or run: adaptive-canary evidence mark ${meta.rolloutId} ` +
      `--resolved --why "..." -->`,
    '',
    '## What happened (from the evidence)',
    '',
    `- Canary \`${meta.versions.canary ?? '?'}\` (stable \`${meta.versions.stable ?? '?'}` +
      `\`) started ${meta.startedAt}.`,
    firstFail
      ? `- First failing signal: **${firstFail.r.signal}** at ${firstFail.d.at}` +
        ` (step ${firstFail.d.step}, weight ${num(firstFail.d.weight)}%).`
      : '- No failing signal recorded (a person or drill rolled back).',
    last
      ? `- Rolled back at ${last.at} by \`${last.by}\`${last.rule ? ` (rule \`${last.rule}\`)` : ''}` +
        `, score ${num(last.score)}.`
      : '- No decision recorded.',
    `- Time to decide: ${seconds(meta.timeToDecideSeconds)}.`,
    `- Rollback duration (decision → 100% stable): ${rollbackVerdict(meta.rollbackDurationSeconds)}.`,
    '',
    '## Signals and reasons',
    '',
    ...(last?.reasons.map(reasonItem) ?? ['- none recorded']),
    '',
    ...(ctx.finish.snapshot?.intervals.length
      ? ['### Signals per interval', '', ...intervalsTable(ctx.finish.snapshot.intervals), '']
      : []),
    '## Timeline',
    '',
    ...timelineTable(records, meta.startedAt),
    '',
    '## Review questions',
    '',
    ...QUESTIONS.flatMap((q, i) => [`${i + 1}. ${q}`, '', '   _Answer:_', '']),
  ].join('\n');
}
