import { relative } from 'node:path';
import { statusLabel } from '../completeness.js';
import type { RolloutEvidence } from '../read.js';
import type { VerifyResult } from '../verify.js';
import { num, seconds } from '../write-ups/format.js';

/** Text views for `adaptive-canary evidence list|verify`. */
export function listRow(r: RolloutEvidence): Record<string, unknown> {
  return {
    service: r.meta.service,
    rolloutId: r.meta.rolloutId,
    startedAt: r.meta.startedAt,
    finishedAt: r.meta.finishedAt,
    outcome: r.meta.outcome,
    status: r.integrity.status,
    records: r.integrity.records,
    intact: r.integrity.ok,
    rollbackDurationSeconds: r.meta.rollbackDurationSeconds,
    falseAbort: r.meta.falseAbort !== null,
    openIncident: r.incident.present && !r.incident.resolved,
    dir: r.dir,
  };
}

export function listTable(rows: RolloutEvidence[]): string[] {
  const table = [['STARTED', 'SERVICE', 'ROLLOUT', 'OUTCOME', 'RECORDS', 'CHAIN', 'ROLLBACK', 'NOTES']];
  for (const r of rows) {
    const notes = [
      r.meta.falseAbort ? 'false-abort' : '',
      r.incident.present && !r.incident.resolved ? 'incident open' : '',
    ]
      .filter(Boolean)
      .join(', ');
    table.push([
      r.meta.startedAt.replace(/\.\d+Z$/, 'Z'),
      r.meta.service,
      r.meta.rolloutId,
      statusLabel(r.integrity.status, r.meta.outcome),
      String(r.integrity.records),
      r.integrity.ok ? 'ok' : 'BROKEN',
      r.meta.outcome === 'rolled-back' ? seconds(r.meta.rollbackDurationSeconds) : '',
      notes,
    ]);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

export function verifyLine(v: VerifyResult, cwd: string): string {
  const where = relative(cwd, v.dir) || '.';
  if (v.ok)
    return (
      `ok       ${where}: ${v.records} records, chain head ${v.head.hash.slice(0, 16)}` +
      `… (seq ${v.head.seq}${v.signature === 'valid' ? ', signed by the key' : ''}), ${STATUS_WORDS[v.status]}`
    );
  const bad = v.firstBad!;
  if (v.failure === 'signature')
    return `${v.signature === 'missing' ? 'UNSIGNED' : 'BAD SIG '} ${where}: ${bad.reason}`;
  return `TAMPERED ${where}: first bad record ${bad.seq} (decisions.jsonl line ${bad.line}): ${bad.reason}`;
}

const STATUS_WORDS: Record<VerifyResult['status'], string> = {
  finished: 'finished (ends in its finish record)',
  running: 'in flight (a live controller holds it)',
  interrupted: 'interrupted, resumable (the state database has it unfinished and nobody holds it)',
  unfinished: 'no finish record yet (unfinished; nothing outside the folder says whether it still runs)',
};

export function showHeader(r: RolloutEvidence): string[] {
  return [
    'integrity: ' +
      (r.integrity.ok
        ? `ok (${r.integrity.records} records, ${r.integrity.status})`
        : `BROKEN at record ${r.integrity.firstBad!.seq}, line ${r.integrity.firstBad!.line}: ` +
          r.integrity.firstBad!.reason),
    `deliveries: ${r.deliveries.length} (${r.deliveries.filter((d) => d.outcome !== 'delivered').length}` +
      ` not delivered)`,
    ...(r.meta.falseAbort ? [`marked false abort: ${r.meta.falseAbort.why} (${r.meta.falseAbort.at})`] : []),
    ...(r.incident.present ? [`incident review: ${r.incident.resolved ? 'resolved' : 'open'}`] : []),
    ...(r.meta.rollbackDurationSeconds !== null ? [`rollback duration: ${num(r.meta.rollbackDurationSeconds)} s`] : []),
  ];
}
