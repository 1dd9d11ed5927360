import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EvidenceRecord, RolloutMeta, WebhookDelivery } from '../../schema/evidence.js';
import { writeFileAtomic } from '../durable-file.js';
import { EvidenceUnwritableError } from '../errors.js';
import type { FinishInput } from '../log.js';
import { EVIDENCE_FILES } from '../paths.js';
import { readDeliveries } from '../read.js';
import { renderIncident } from './incident.js';
import { renderPrBody } from './pr-body.js';
import { renderSummary } from './summary.js';

export interface WriteUpContext {
  dir: string;
  prBody: string;
  meta: RolloutMeta;
  records: readonly EvidenceRecord[];
  deliveries: WebhookDelivery[];
  finish: FinishInput;
}

export interface WriteUpFiles {
  summary: string;
  prBody: string;
  incident?: string;
}

/** Writes summary.md, the PR body and (after a rollback) incident.md. An incident already edited by people is kept. */
export function writeWriteUps(input: Omit<WriteUpContext, 'deliveries'> & { clean: <T>(v: T) => T }): WriteUpFiles {
  const ctx: WriteUpContext = { ...input, deliveries: readDeliveries(join(input.dir, EVIDENCE_FILES.webhooks)) };
  const files: WriteUpFiles = { summary: join(ctx.dir, EVIDENCE_FILES.summary), prBody: ctx.prBody };
  const rolledBack = ctx.meta.outcome === 'rolled-back';
  if (rolledBack) {
    files.incident = join(ctx.dir, EVIDENCE_FILES.incident);
    if (!existsSync(files.incident)) writeFileAtomic(files.incident, input.clean(renderIncident(ctx)));
  }
  writeFileAtomic(files.summary, input.clean(renderSummary(ctx)));
  try {
    mkdirSync(dirname(ctx.prBody), { recursive: true });
  } catch (err) {
    throw new EvidenceUnwritableError(dirname(ctx.prBody), (err as Error).message, { cause: err });
  }
  writeFileAtomic(ctx.prBody, input.clean(renderPrBody(ctx, rolledBack)));
  return files;
}
