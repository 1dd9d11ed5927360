import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileError, errorMessage } from '../../errors.js';
import { writeFileAtomic } from '../durable-file.js';
import { makeRedactor } from '../../redaction/redact.js';
import { buildEvidenceReview, buildStandup, type ReportInput } from './build.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { Report } from './model.js';

export interface WriteReportInput extends ReportInput {
  kind: Report['kind'];
  format: 'md' | 'html';
  out?: string;
}

/** Builds the report, renders it, writes `out` when given. Everything passes through the redactor once more. */
export function writeReport(input: WriteReportInput): {
  report: Report;
  text: string;
  summary: string;
  warnings: string[];
} {
  const clean = makeRedactor();
  const report = clean(input.kind === 'standup' ? buildStandup(input) : buildEvidenceReview(input));
  const text = clean(input.format === 'html' ? renderHtml(report) : renderMarkdown(report));
  if (input.out) {
    try {
      mkdirSync(dirname(input.out), { recursive: true });
      writeFileAtomic(input.out, text);
    } catch (err) {
      throw new FileError(input.out, errorMessage(err), { cause: err });
    }
  }
  const warnings: string[] = [];
  let summary: string;
  if (report.kind === 'evidence-review') {
    summary =
      `${report.totals.rollouts} rollouts, ${report.integrity.intact}/${report.integrity.verified}` + ` chains intact`;
    for (const b of report.integrity.broken)
      warnings.push(`evidence chain broken: ${b.rollout} record ${b.firstBad.seq}: ${b.firstBad.reason}`);
  } else {
    summary =
      `${report.services.length} services, ${report.inFlight.length} in ` +
      `flight, ${report.openIncidents.length} open incidents`;
  }
  return { report, text, summary, warnings };
}
