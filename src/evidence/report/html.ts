import { num, seconds } from '../write-ups/format.js';
import { percent } from './markdown.js';
import type { EvidenceReview, Report, Standup } from './model.js';
import { barChart, esc } from './svg.js';

/** One self-contained HTML file: inline CSS and SVG, no scripts, no external assets (works offline, mails well). */
const CSS =
  `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 ` +
  `1rem;color:#1d2330}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #dde1e8;padding-bottom:.2rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:.75rem}
.card{border:1px solid #dde1e8;border-radius:6px;padding:.6rem .8rem}.card b{display:block;font-size:1.35rem}
.card.bad{border-color:#c62828;background:#fdecea}.card.ok{border-color:#2e7d32;background:#edf7ee}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e6e8ee;padding:.3rem ` +
  `.4rem;text-align:left;vertical-align:top}
th{background:#f5f6f9}.muted{color:#667085}code{font-size:12px}
svg text{font-size:11px;fill:#1d2330}svg rect.ok{fill:#43a047}svg rect.bad{fill:#e53935}svg rect.neutral{fill:#5c6bc0}
svg line.ref{stroke:#c62828;stroke-dasharray:4 3;stroke-width:1.5}svg text.ref{fill:#c62828}
`;

export function renderHtml(report: Report): string {
  const title =
    report.kind === 'evidence-review'
      ? `Evidence review ${report.from.slice(0, 10)} → ${report.to.slice(0, 10)}`
      : `Release standup ${report.to.slice(0, 10)}`;
  const body = report.kind === 'evidence-review' ? reviewBody(report) : standupBody(report);
  return (
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><h1>${esc(title)}</h1><p class="muted">From <code>${esc(report.root)}</code>, ${esc(report.from)} → ` +
    `${esc(report.to)}, generated ${esc(report.generatedAt)} by adaptive-canary.</p>
${body}
</body></html>
`
  );
}

function card(label: string, value: string, note: string, tone?: 'ok' | 'bad'): string {
  return (
    `<div class="card${tone ? ` ${tone}` : ''}">${esc(label)}<b>${esc(value)}` +
    `</b><span class="muted">${esc(note)}</span></div>`
  );
}

function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="muted">None.</p>';
  return (
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}` +
    `</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}` +
    `</tbody></table>`
  );
}

function reviewBody(r: EvidenceReview): string {
  const d = r.rollbackDuration;
  const target = r.rollbackTargetSeconds;
  const rollbacks = r.rollouts.filter((x) => x.outcome === 'rolled-back' && x.rollbackDurationSeconds !== null);
  const decided = r.rollouts.filter((x) => x.timeToDecideSeconds !== null && x.outcome !== null);
  return [
    '<div class="cards">',
    card(
      'Rollouts',
      String(r.totals.rollouts),
      `${r.totals.promoted} promoted · ${r.totals.rolledBack} rolled back · ${r.totals.inFlight} in flight`,
    ),
    card(
      'Rollback duration (median)',
      seconds(d.median),
      `p90 ${seconds(d.p90)} · target ${seconds(target)}`,
      d.median === null ? undefined : d.median <= target ? 'ok' : 'bad',
    ),
    card('Time to decide (median)', seconds(r.timeToDecide.median), `p90 ${seconds(r.timeToDecide.p90)}`),
    card(
      'False-abort rate',
      percent(r.falseAbort.rate),
      `${r.falseAbort.marked} of ${r.falseAbort.rollbacks} rollbacks`,
      r.falseAbort.marked ? 'bad' : undefined,
    ),
    card(
      'Evidence integrity',
      `${r.integrity.intact}/${r.integrity.verified}`,
      'hash chains intact',
      r.integrity.broken.length ? 'bad' : 'ok',
    ),
    card(
      'Webhooks',
      `${r.webhooks.delivered}/${r.webhooks.deliveries}`,
      `delivered · ${r.webhooks.failed} failed · ${r.webhooks.abandoned} abandoned`,
      r.webhooks.failed + r.webhooks.abandoned ? 'bad' : undefined,
    ),
    '</div>',
    '<h2>Rollback duration vs the 5-minute target</h2>',
    barChart(
      rollbacks.map((x) => ({
        label: `${x.service}/${x.rolloutId}`,
        value: x.rollbackDurationSeconds!,
        tone: x.rollbackDurationSeconds! <= target ? 'ok' : 'bad',
      })),
      { unit: 's', reference: { value: target, label: '5 min' }, log: true, title: 'rollback durations' },
    ),
    '<h2>Time to decide</h2>',
    barChart(
      decided.map((x) => ({
        label: `${x.service}/${x.rolloutId}`,
        value: x.timeToDecideSeconds!,
        tone: x.outcome === 'promoted' ? 'ok' : 'bad',
      })),
      { unit: 's', title: 'time to decide' },
    ),
    '<h2>Rollouts</h2>',
    table(
      [
        'started',
        'service',
        'rollout',
        'outcome',
        'decided by',
        'reasons',
        'time to decide',
        'rollback',
        'false abort',
        'chain',
      ],
      r.rollouts.map((x) => [
        esc(x.startedAt),
        esc(x.service),
        `<a href="${esc(x.dir)}/summary.md">${esc(x.rolloutId)}</a>`,
        esc(x.outcome ?? 'in flight'),
        esc(`${x.decidedBy ?? '—'}${x.rule ? ` (${x.rule})` : ''}`),
        esc(x.reasons.join('; ') || '—'),
        esc(seconds(x.timeToDecideSeconds)),
        esc(seconds(x.rollbackDurationSeconds)),
        esc(x.falseAbort ?? ''),
        x.integrityOk ? 'ok' : '<b>broken</b>',
      ]),
    ),
    ...(r.integrity.broken.length
      ? [
          '<h2>Broken evidence chains</h2>',
          table(
            ['rollout', 'record', 'line', 'problem'],
            r.integrity.broken.map((b) => [
              esc(b.rollout),
              String(b.firstBad.seq),
              String(b.firstBad.line),
              esc(b.firstBad.reason),
            ]),
          ),
        ]
      : []),
    '<h2>Webhook delivery failures</h2>',
    table(
      ['rollout', 'event', 'receiver', 'attempts', 'last', 'delivery id'],
      r.webhooks.failures.map((f) => [
        esc(f.rollout),
        esc(f.event),
        esc(f.url),
        String(f.attempts),
        esc(f.last),
        `<code>${esc(f.deliveryId)}</code>`,
      ]),
    ),
  ].join('\n');
}

function standupBody(r: Standup): string {
  return [
    '<h2>Error budget burned by releases</h2>',
    barChart(
      r.services
        .filter((s) => s.budgetBurn !== null)
        .map((s) => ({ label: s.service, value: s.budgetBurn! * 100, tone: s.overLimit ? 'bad' : 'ok' })),
      {
        unit: '%',
        reference: { value: r.budgetLimit * 100, label: `${num(r.budgetLimit * 100)}% limit` },
        title: 'error budget burn per service',
      },
    ),
    table(
      ['service', 'rollouts', 'promoted', 'rolled back', 'budget burned', 'status'],
      r.services.map((s) => [
        esc(s.service),
        String(s.rollouts),
        String(s.promoted),
        String(s.rolledBack),
        esc(percent(s.budgetBurn)),
        s.overLimit ? '<b>over limit</b>' : s.budgetBurn === null ? 'no data' : 'ok',
      ]),
    ),
    '<h2>Releases in flight</h2>',
    table(
      ['service', 'rollout', 'started', 'step', 'weight', 'score', 'last action'],
      r.inFlight.map((f) => [
        esc(f.service),
        esc(f.rolloutId),
        esc(f.startedAt),
        String(f.step ?? '—'),
        f.weight === null ? '—' : `${num(f.weight)}%`,
        esc(num(f.score)),
        esc(f.lastAction ?? '—'),
      ]),
    ),
    '<h2>Open incidents</h2>',
    table(
      ['rollout', 'rolled back', 'reasons', 'review'],
      r.openIncidents.map((i) => [
        esc(`${i.service}/${i.rolloutId}`),
        esc(i.finishedAt ?? ''),
        esc(i.reasons.join('; ')),
        `<a href="${esc(i.incident)}">${esc(i.incident)}</a>`,
      ]),
    ),
  ].join('\n');
}
